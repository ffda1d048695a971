// Every stored version of the student's paths (of one goal, or all when goal is null), newest first
MATCH (:Student {id: $student_id})-[:HAS_PATH]->(p:LearningPath)
WHERE $goal IS NULL OR p.goal = $goal
RETURN p.student_id AS student_id, p.goal AS goal, p.version AS version, p.reason AS reason,
       p.ts AS ts, p.session_size AS session_size, p.kp_ids AS kp_ids, p.statuses AS statuses,
       p.pinned AS pinned, p.inserted AS inserted, p.current AS current
ORDER BY ts DESC, version DESC, goal
