UNWIND $rows AS r
MERGE (x:Resource {id: r.id})
SET x.title = r.title, x.kind = r.kind, x.level = r.level, x.url = r.url, x.body = r.body,
    x.minutes = r.minutes, x.dataset = r.dataset
RETURN count(x) AS n
