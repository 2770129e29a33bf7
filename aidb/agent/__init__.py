"""The data agent: aidb's operators found for a goal in words (suggest_operators), and a goal turned into a validated
SQL pipeline over a table (plan_pipeline, `aidb ask`): retrieval plus step templates offline, an LLM when configured."""
