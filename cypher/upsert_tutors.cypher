UNWIND $rows AS r
MERGE (t:Tutor {id: r.id})
SET t.name = r.name, t.email = r.email, t.dataset = r.dataset
RETURN count(t) AS n
