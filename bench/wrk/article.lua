-- W1: the bench article page, as a browser asks for it (no cookies).
wrk.headers["Accept"] = "text/html"
