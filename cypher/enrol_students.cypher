// Assign students to their arms; an arm once given never changes (a retried start is harmless)
MATCH (x:Experiment {id: $id})
UNWIND $rows AS r
MATCH (s:Student {id: r.student_id})
MERGE (s)-[e:ENROLLED]->(x)
ON CREATE SET e.consent = null
WITH e, r
WHERE e.arm IS NULL
SET e.arm = r.arm, e.stratum = r.stratum, e.pre = r.pre, e.assigned_at = $now
RETURN count(e) AS n
