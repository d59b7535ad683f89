-- W4: posting new comments through the same form a browser sends. Each request is a new comment
-- (unique text and address, so duplicate detection does not refuse it). FORM_PATH, FIELDS (the
-- url-encoded fixed fields, e.g. the form token) come from the
-- environment. Successes are counted in done(): a 303/302 redirect is a stored comment.
local path = os.getenv("FORM_PATH")
local fixed = os.getenv("FIELDS") or ""
local counter = 0
local thread_id = 0
local threads = {}

setup = function(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

init = function(args)
  thread_id = id
  redirects = 0
  -- Warm-up and measured runs are separate processes: without a fresh seed and the clock in
  -- every text, the second would repeat the first's comments and be refused as duplicates.
  run_id = os.time()
  math.randomseed(run_id * 100 + id)
end

request = function()
  counter = counter + 1
  local n = run_id .. "-" .. thread_id .. "-" .. counter .. "-" .. math.random(1, 1000000000)
  local body = fixed .. "&author=Bench+Reader&email=w4-" .. n .. "%40bench.example&comment=Bench+comment+" .. n .. "+about+the+budget+vote"
  return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

response = function(status, headers, body)
  if status == 302 or status == 303 then
    redirects = redirects + 1
  end
end

done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + (t:get("redirects") or 0)
  end
  io.write(string.format("acknowledged %d\n", total))
end
