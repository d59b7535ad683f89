-- W6: reader searches, a mix of common and rare words. Common words are in nearly every
-- generated article (the prose is made of them); rare ones (crates/gazette-bench/src/site.rs,
-- rare_word) in about one article in 1,500 of a large site. A quarter each: one common word,
-- two common words, one rare word, a rare and a common word.
--
-- UNCACHED=1 adds a `from` date long before any article (the results are the same) that
-- differs on every request, so that no result page is served from the page cache: what the
-- database and the rendering cost.
local common = { "council", "budget", "harbour", "residents", "library", "school", "vote",
  "plan", "city", "mayor", "report", "week", "year", "people", "street", "market", "project",
  "sofia", "petrov", "okafor", "murphy", "tanaka" }
local first = { "kel", "mar", "tos", "vin", "bra", "dul", "fen", "gor", "hal", "jun" }
local second = { "va", "de", "ri", "lo", "mu", "sa", "te", "no", "pi", "ka" }
local third = { "ro", "len", "dor", "mis", "tan", "bel", "quor", "zen", "fal", "wick", "ston",
  "by", "ham", "ford", "mouth", "gate", "holm", "wyn", "dale", "mere" }
local uncached = os.getenv("UNCACHED") == "1"
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

local function rare()
  local n = math.random(0, 1999)
  return first[n % 10 + 1] .. second[math.floor(n / 10) % 10 + 1] .. third[math.floor(n / 100) % 20 + 1]
end

local function pick(list)
  return list[math.random(1, #list)]
end

request = function()
  local kind = math.random(1, 4)
  local q
  if kind == 1 then
    q = pick(common)
  elseif kind == 2 then
    q = pick(common) .. "+" .. pick(common)
  elseif kind == 3 then
    q = rare()
  else
    q = rare() .. "+" .. pick(common)
  end
  local path = "/search?q=" .. q
  if uncached then
    -- A day in 1950–1979: before every generated article, and a new cache key each time.
    path = path .. string.format("&from=%04d-%02d-%02d", math.random(1950, 1979),
      math.random(1, 12), math.random(1, 28))
  end
  return wrk.format("GET", path)
end
