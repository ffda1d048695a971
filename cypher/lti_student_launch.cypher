// The launch a score goes back to: the given resource link, or the one launching the given
// test, or the practice link launched last (a test's link gets its test's score only)
MATCH (:Student {id: $student_id})-[:LAUNCHED]->(l:LtiLaunch)
WHERE ($resource_link_id IS NULL OR l.resource_link_id = $resource_link_id)
  AND CASE WHEN $test_id IS NULL THEN $resource_link_id IS NOT NULL OR l.test_id IS NULL
           ELSE l.test_id = $test_id END
RETURN l.issuer AS issuer, l.client_id AS client_id, l.deployment_id AS deployment_id,
       l.resource_link_id AS resource_link_id, coalesce(l.title, '') AS title,
       l.lti_user_id AS lti_user_id, l.lineitem AS lineitem, l.lineitems AS lineitems,
       coalesce(l.scopes, []) AS scopes, l.created AS since
ORDER BY l.last_launch DESC
LIMIT 1
