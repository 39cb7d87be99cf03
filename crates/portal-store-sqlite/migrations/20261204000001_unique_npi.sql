-- An NPI identifies one provider nationally, so two accounts may not share it.
CREATE UNIQUE INDEX providers_npi ON providers (npi);
