-- W5: an article page at random among all of them. PATH_PREFIX and COUNT come from the
-- environment: the pages are PATH_PREFIX1 .. PATH_PREFIX<COUNT> (Gazette: /articles/story-;
-- WordPress: /?p= with an offset).
local prefix = os.getenv("PATH_PREFIX") or "/articles/story-"
local count = tonumber(os.getenv("COUNT") or "999")
local offset = tonumber(os.getenv("OFFSET") or "0")
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", prefix .. (offset + math.random(1, count)))
end
