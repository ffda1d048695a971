// Which of these question ids exist, their dataset, and whether an answer key lets a test grade
// them (the key itself is read only by question_key)
UNWIND $ids AS id
MATCH (q:Question {id: id})
RETURN q.id AS id, coalesce(q.dataset, '') AS dataset, coalesce(q.answer, '') <> '' AS gradable
