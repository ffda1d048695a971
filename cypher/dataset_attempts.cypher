// Every stored answer of a dataset's students to its questions, in each student's history
// order: the training set of `kgtutor train ... --dataset` (models trained on the graph's logs)
MATCH (s:Student {dataset: $dataset})-[a:ATTEMPTED]->(q:Question {dataset: $dataset})
RETURN a.event_id AS event_id, s.id AS student_id, q.id AS question_id, a.correct AS correct,
       a.ts AS ts, a.seq AS seq
ORDER BY student_id, ts, seq, event_id
