-- (PostgreSQL) The score of each principle per phase of each project (applicable checklist items, and how
-- many are met), kept in the transaction of every answer so that the portfolio of thousands
-- of projects reads sums instead of re-scoring every checklist.
CREATE TABLE project_scores (
    project_id   UUID NOT NULL REFERENCES projects (id),
    phase        TEXT NOT NULL,
    phase_order  BIGINT NOT NULL,
    principle    TEXT NOT NULL,
    met          BIGINT NOT NULL,
    applicable   BIGINT NOT NULL,
    PRIMARY KEY (project_id, phase, principle)
);

CREATE INDEX dnh_risks_due ON dnh_risks (status, due_date);
CREATE INDEX project_deviations_state ON project_deviations (state, project_id);
