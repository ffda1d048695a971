// Student ability from the last IRT fit or online update
UNWIND $rows AS r
MATCH (s:Student {id: r.id})
SET s.theta = r.theta, s.theta_responses = r.responses
RETURN count(s) AS n
