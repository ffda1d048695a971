// A class's students who practised a KP and struggle with it: mastery below $below, or at least
// $wrong wrong among their $recent latest answers on it; worst first
MATCH (s:Student)-[:MEMBER_OF]->(:Class {id: $class_id})
MATCH (s)-[a:ATTEMPTED]->(:Question)-[:TESTS]->(:KnowledgePoint {id: $kp_id})
WITH s, a
ORDER BY a.ts DESC, a.seq DESC
WITH s, collect(a.correct) AS answers
OPTIONAL MATCH (s)-[m:MASTERY]->(:KnowledgePoint {id: $kp_id})
WITH s, m.p AS mastery, size(answers) AS attempts,
     size([c IN answers[0..$recent] WHERE NOT c]) AS wrong_recent
WHERE mastery < $below OR wrong_recent >= $wrong
RETURN s.id AS student_id, coalesce(s.name, '') AS name, mastery, attempts, wrong_recent
ORDER BY mastery, wrong_recent DESC, student_id
