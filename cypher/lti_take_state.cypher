// Read and delete in one transaction: a nonce is good for one launch only
MATCH (d:LtiState {id: $key})
WITH d, d.expires > $now AS live
DELETE d
RETURN live
