// Which of these question ids exist: ingestion rejects answers to unknown questions
UNWIND $ids AS id
MATCH (q:Question {id: id})
RETURN q.id AS id, coalesce(q.dataset, '') AS dataset
