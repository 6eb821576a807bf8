-- Each project's principle scores from the analysis up to its current phase, one row a
-- project, kept with project_scores: the portfolio reads these without grouping.
CREATE TABLE project_progress (
    project_id                 BLOB PRIMARY KEY REFERENCES projects (id),
    safety_met                 BIGINT NOT NULL,
    safety_applicable          BIGINT NOT NULL,
    access_met                 BIGINT NOT NULL,
    access_applicable          BIGINT NOT NULL,
    accountability_met         BIGINT NOT NULL,
    accountability_applicable  BIGINT NOT NULL,
    participation_met          BIGINT NOT NULL,
    participation_applicable   BIGINT NOT NULL
);
