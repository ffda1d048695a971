UNWIND $rows AS r
MERGE (c:Class {id: r.id})
SET c.name = r.name, c.dataset = r.dataset
RETURN count(c) AS n
