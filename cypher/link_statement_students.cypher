// Who sent which statement, and when each student was last active by xAPI (epoch ms)
UNWIND $rows AS r
MATCH (s:Student {id: r.student_id})
MATCH (x:XapiStatement {id: r.id})
MERGE (s)-[:SENT]->(x)
SET s.last_activity = CASE WHEN coalesce(s.last_activity, 0) < r.ts
                           THEN r.ts ELSE s.last_activity END
RETURN count(x) AS n
