// A student's dataset and IRT ability (theta null until an IRT fit was written)
MATCH (s:Student {id: $student_id})
RETURN s.id AS id, s.dataset AS dataset, s.theta AS theta, s.theta_var AS var
