// PyLTI1p3's short-lived login state (nonces, state checks), kept server-side so that a copied
// cookie cannot replay a launch; `value` is JSON, `expires` epoch ms
MERGE (d:LtiState {id: $key})
SET d.value = $value, d.expires = $expires
RETURN d.id AS id
