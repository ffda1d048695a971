// Student ability (posterior mean and variance) from the last IRT fit or online update
UNWIND $rows AS r
MATCH (s:Student {id: r.id})
SET s.theta = r.theta, s.theta_var = r.var, s.theta_responses = r.responses
RETURN count(s) AS n
