// What grading needs of a question: its type, answer and tolerance (only grading reads it)
MATCH (q:Question {id: $question_id})
RETURN coalesce(q.type, 'choice') AS type, coalesce(q.answer, '') AS answer,
       coalesce(q.tolerance, 0.0) AS tolerance
