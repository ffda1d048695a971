// 2PL parameters of these questions (null until `kgtutor train irt --write-graph`)
UNWIND $question_ids AS qid
MATCH (q:Question {id: qid})
RETURN q.id AS id, q.irt_a AS a, q.irt_b AS b, q.irt_responses AS responses
ORDER BY id
