// The student's current path version, for one goal or (goal null) the most recent of any goal
MATCH (:Student {id: $student_id})-[:HAS_PATH]->(p:LearningPath {current: true})
WHERE $goal IS NULL OR p.goal = $goal
RETURN p.student_id AS student_id, p.goal AS goal, p.version AS version, p.reason AS reason,
       p.ts AS ts, p.session_size AS session_size, p.kp_ids AS kp_ids, p.statuses AS statuses,
       p.pinned AS pinned, p.inserted AS inserted, p.current AS current
ORDER BY ts DESC, version DESC
LIMIT 1
