// Every stored answer of these students with its question's 2PL parameters, to recompute
// theta after new answers. Parallel lists, one entry per answer (a list of maps costs the
// client twice as much to parse); fitted is false where no fit was written yet: the caller
// then takes the level's parameters
UNWIND $student_ids AS sid
MATCH (s:Student {id: sid})-[a:ATTEMPTED]->(q:Question)
RETURN sid AS student_id, collect(coalesce(q.irt_a, 1.0)) AS a,
       collect(coalesce(q.irt_b, 0.0)) AS b, collect(q.irt_b IS NOT NULL) AS fitted,
       collect(coalesce(q.level, '')) AS level, collect(a.correct) AS correct
ORDER BY student_id
