// What grading needs and only grading reads: a question's answer and its explanation
MATCH (q:Question {id: $question_id})
RETURN coalesce(q.answer, '') AS answer, coalesce(q.explanation, '') AS explanation
