// Every stored answer of these students with its question's 2PL parameters (null until a fit
// is written: the caller then takes the level's), to recompute theta after new answers
UNWIND $student_ids AS sid
MATCH (s:Student {id: sid})-[a:ATTEMPTED]->(q:Question)
RETURN sid AS student_id,
       collect({a: q.irt_a, b: q.irt_b, level: q.level, correct: a.correct}) AS answers
ORDER BY student_id
