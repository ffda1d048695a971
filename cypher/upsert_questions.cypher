UNWIND $rows AS r
MERGE (q:Question {id: r.id})
SET q.text = r.text, q.options = r.options, q.answer = r.answer,
    q.explanation = r.explanation, q.level = r.level, q.dataset = r.dataset
RETURN count(q) AS n
