UNWIND $rows AS r
MERGE (c:Chapter {id: r.id})
SET c.name = r.name, c.order = r.order, c.area = r.area, c.dataset = r.dataset
RETURN count(c) AS n
