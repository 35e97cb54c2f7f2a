"""Quality-assurance audits of meetings (MAPPA L) and of cases: questions, records, prefill, sampling, results."""
