-- A patient's appointments are read in start order with the id breaking ties: the dashboard's
-- next three and the patient's list. With the id in the index, those reads stop after the rows
-- they return. Without it SQLite sorted every appointment that shares a start time, and a
-- patient with a few hundred requests for the same slot slowed each dashboard view about
-- sixfold (docs/BENCHMARKS.md).
DROP INDEX appointments_patient_start;
CREATE INDEX appointments_patient_start_id ON appointments (patient_id, preferred_start, id);
