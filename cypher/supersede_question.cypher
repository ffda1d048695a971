// An answered question edited: the old version stays (its attempts point at it) but is left
// out of practice and tests from now on
MATCH (q:Question {id: $id})
SET q.superseded_by = $new_id
RETURN q.id AS id
