MATCH (d:LtiState {id: $key})
WHERE d.expires > $now
RETURN d.value AS value
