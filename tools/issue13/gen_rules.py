"""Write the issue-13 rule files (one per dimension) from compact specs."""
import yaml
OUT = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "rules") + "/"
AUTOSCALE = "https://docs.cloud.google.com/vertex-ai/docs/predictions/autoscaling"
AUTORES = "https://cloud.google.com/vertex-ai/docs/reference/rest/v1/AutomaticResources"
COHOST = "https://cloud.google.com/vertex-ai/docs/predictions/model-co-hosting"
LOGGING = "https://cloud.google.com/vertex-ai/docs/predictions/online-prediction-logging"
RRLOG = "https://docs.cloud.google.com/ruby/docs/reference/google-cloud-ai_platform-v1/latest/Google-Cloud-AIPlatform-V1-PredictRequestResponseLoggingConfig.md.txt"
DLP_T = "https://cloud.google.com/dlp/docs/transformations-reference"
DLP_P = "https://docs.cloud.google.com/sensitive-data-protection/docs/pseudonymization.md.txt"
ALGO = "https://docs.cloud.google.com/dotnet/docs/reference/Google.Cloud.AIPlatform.V1/latest/Google.Cloud.AIPlatform.V1.StudySpec.Types.Algorithm"
STOP = "https://docs.cloud.google.com/ruby/docs/reference/google-cloud-ai_platform-v1/1.20.0/Google-Cloud-AIPlatform-V1-StudySpec-MedianAutomatedStoppingSpec"
HPT = "https://cloud.google.com/vertex-ai/docs/training/hyperparameter-tuning-overview"
DIST = "https://docs.cloud.google.com/vertex-ai/docs/training/distributed-training"
FUSE = "https://cloud.google.com/vertex-ai/docs/training/cloud-storage-file-system"
FED = "https://cloud.google.com/bigquery/docs/federated-queries-intro"
PREP = "https://docs.cloud.google.com/bigquery/docs/data-prep-introduction.md.txt"
GROUND = "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/multimodal/ground-with-your-data"
GROUNDG = "https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/ground-gemini"
SCHED = "https://cloud.google.com/vertex-ai/docs/pipelines/schedule-pipeline-run"
PUBSUB = "https://cloud.google.com/vertex-ai/docs/pipelines/trigger-pubsub"
RUNFN = "https://cloud.google.com/docs/security/security-best-practices-genai/cloud-run-functions-controls"
MLOPS = "https://cloud.google.com/architecture/mlops-continuous-delivery-and-automation-pipelines-in-machine-learning"
EXVAL = "https://www.tensorflow.org/tfx/guide/exampleval"
TFT = "https://www.tensorflow.org/tfx/guide/tft"
CPR = "https://cloud.google.com/vertex-ai/docs/predictions/custom-prediction-routines"
BQTRANSFORM = "https://cloud.google.com/bigquery/docs/manual-preprocessing"
EDGE = "https://cloud.google.com/vertex-ai/docs/export/export-edge-model"
PTQ = "https://www.tensorflow.org/lite/performance/post_training_quantization"
QAT = "https://www.tensorflow.org/model_optimization/guide/quantization/training"
FSTYPES = "https://cloud.google.com/vertex-ai/docs/featurestore/latest/online-serving-types"
PRED = "https://cloud.google.com/vertex-ai/docs/predictions/overview"
EXAMPLES = "https://docs.cloud.google.com/vertex-ai/docs/explainable-ai/configuring-explanations-example-based.md.txt"
MF = "https://cloud.google.com/bigquery-ml/docs/reference/standard-sql/bigqueryml-syntax-create-matrix-factorization"
ARIMA = "https://cloud.google.com/bigquery/docs/reference/standard-sql/bigqueryml-syntax-create-time-series"
HOLI = "https://docs.cloud.google.com/bigquery/docs/time-series-forecasting-holidays-tutorial.md.txt"
VPCSC = "https://cloud.google.com/vertex-ai/docs/general/vpc-service-controls"
BESTP = "https://cloud.google.com/architecture/ml-on-gcp-best-practices"
DIALOG = "https://docs.cloud.google.com/dialogflow/docs.md.txt"
MIGRATE = "https://cloud.google.com/vertex-ai/docs/pipelines/migrate-kfp"
INTERFACES = "https://cloud.google.com/vertex-ai/docs/pipelines/interfaces"
PREBUILT = "https://cloud.google.com/vertex-ai/docs/training/pre-built-containers"
MONITOR = "https://cloud.google.com/vertex-ai/docs/model-monitoring/overview"
ENDPOINT_TYPE = "https://docs.cloud.google.com/vertex-ai/docs/predictions/choose-endpoint-type"
EVAL = "https://cloud.google.com/vertex-ai/docs/evaluation/using-model-evaluation"

FILES: dict[str, list] = {}
EP = {"serving_mode": "online", "serving_platform": "vertex_endpoint_public", "endpoint_settings": "adjusted"}


def R(file, id, title, section, docs, when, then, because, fires, nofire=(), default=False, notes=None):
    r = {"id": id, "title": title, "section": section, "docs": list(docs), "when": when, "then": then}
    if default:
        r["default"] = True
    r["because"] = because
    if notes:
        r["notes"] = notes
    r["examples"] = {"fires": list(fires)}
    if nofire:
        r["examples"]["does_not_fire"] = list(nofire)
    FILES.setdefault(file, []).append(r)


def P(dim, choice, w):
    return {"dimension": dim, "prefer": choice, "weight": w}


# ------------------------------------------------------------------ endpoint_settings (gate)
R("endpoint_settings", "endpoint_settings.stated-reason-adjust",
  "A production symptom, a traffic pattern, many models or a need to record requests make the endpoint settings a decision",
  "4.2", [AUTOSCALE, COHOST, LOGGING],
  {"any": [{"serving.symptom": {"present": True}}, {"serving.traffic": {"in": ["spiky", "idle_periods"]}},
           {"serving.models_count": {"gte": 5}}, {"operations.inputs_must_be_recorded": True}]},
  P("endpoint_settings", "adjusted", 6),
  "The scenario states {matched_facts}: the endpoint's replica counts, machine type, co-hosting and logging "
  "are decided from it rather than left at their defaults.",
  [{"serving": {"traffic": "spiky"}, "decisions": {"serving_mode": "online", "serving_platform": "vertex_endpoint_public"}},
   {"serving": {"symptom": ["replica_out_of_memory"]}, "decisions": {"serving_mode": "online", "serving_platform": "vertex_endpoint_public"}}],
  [{"serving": {"traffic": "steady"}, "decisions": {"serving_mode": "online", "serving_platform": "vertex_endpoint_public"}}])
R("endpoint_settings", "endpoint_settings.default-defaults",
  "With nothing said about production behaviour, the endpoint keeps its default settings",
  "4.2", [AUTOSCALE], "always", P("endpoint_settings", "defaults", 1),
  "Nothing in the scenario (a symptom, a traffic pattern, many models, a need to record requests) calls for "
  "other replica counts, machine types, co-hosting or logging than the defaults; state one to decide them.",
  [{"decisions": {"serving_mode": "online", "serving_platform": "vertex_endpoint_public"}}], default=True)

# ------------------------------------------------------------------ serving_min_replicas
R("serving_min_replicas", "serving_min_replicas.spikes-raise-floor",
  "Sudden traffic spikes that suffer while replicas start call for a higher minimum replica count",
  "4.2", [AUTOSCALE, AUTORES],
  {"serving.traffic": "spiky", "serving.symptom": {"contains_any": ["latency_high_under_load", "slow_after_idle"]}},
  P("serving_min_replicas", "raised", 7),
  "Traffic is {serving.traffic} and requests suffer while the endpoint scales ({serving.symptom}). Autoscaling adds "
  "replicas only after the load has risen, and the minimum replica count is what is always deployed: raise it to "
  "the usual peak so the capacity is there when the burst arrives.",
  [{"serving": {"traffic": "spiky", "symptom": ["latency_high_under_load"]}, "decisions": EP}],
  [{"serving": {"traffic": "steady", "symptom": ["latency_high_under_load"]}, "decisions": EP}])
R("serving_min_replicas", "serving_min_replicas.idle-cost-scale-to-zero",
  "An endpoint that sits idle for long periods and costs too much may scale to zero",
  "4.2", [AUTOSCALE],
  {"serving.traffic": "idle_periods", "serving.symptom": {"contains": "cost_too_high_idle"}},
  P("serving_min_replicas", "zero", 6),
  "The endpoint has long periods with no requests ({serving.traffic}) and its idle cost is the problem "
  "({serving.symptom}). A minimum of 1 keeps a replica running all the time; the Scale To Zero feature (Preview) "
  "allows a minimum of 0, so no replica runs while no traffic comes. The first request after a quiet period waits "
  "for a replica to start.",
  [{"serving": {"traffic": "idle_periods", "symptom": ["cost_too_high_idle"]}, "decisions": EP}],
  [{"serving": {"traffic": "spiky", "symptom": ["cost_too_high_idle"]}, "decisions": EP}],
  notes="Scale To Zero is a Preview feature (autoscaling page).")
R("serving_min_replicas", "serving_min_replicas.latency-sensitive-avoid-zero",
  "Spiky or latency-sensitive traffic must not start from zero replicas",
  "4.2", [AUTOSCALE],
  {"any": [{"serving.traffic": "spiky"}, {"serving.symptom": {"contains_any": ["slow_after_idle", "latency_high_under_load"]}}]},
  {"dimension": "serving_min_replicas", "avoid": ["zero"], "weight": 6},
  "The scenario states {matched_facts}; with a minimum of zero every burst after a quiet period waits for a "
  "replica to start, which makes this worse.",
  [{"serving": {"traffic": "spiky"}, "decisions": EP}],
  [{"serving": {"traffic": "idle_periods"}, "decisions": EP}])
R("serving_min_replicas", "serving_min_replicas.default-one",
  "The minimum replica count stays at its default of one",
  "4.2", [AUTOSCALE], "always", P("serving_min_replicas", "default_one", 1),
  "Nothing stated calls for another floor: a deployed model keeps at least one replica (the minimum must be at "
  "least 1 unless Scale To Zero is used).",
  [{"decisions": EP}], default=True)

# ------------------------------------------------------------------ serving_max_replicas
R("serving_max_replicas", "serving_max_replicas.dropped-raise-ceiling",
  "Requests dropped at peaks mean the maximum replica count is too low",
  "4.2", [AUTORES, AUTOSCALE],
  {"serving.symptom": {"contains": "requests_dropped"}},
  P("serving_max_replicas", "raised", 7),
  "Requests fail at peaks ({serving.symptom}): when traffic grows beyond what the replicas at the maximum replica "
  "count can handle, part of it is dropped. Raise the maximum so autoscaling can add the replicas the peak needs.",
  [{"serving": {"symptom": ["requests_dropped"]}, "decisions": EP}],
  [{"serving": {"symptom": ["replica_out_of_memory"]}, "decisions": EP}])
R("serving_max_replicas", "serving_max_replicas.oom-not-more-replicas",
  "Replicas that run out of memory are not helped by more replicas",
  "4.2", [AUTOSCALE],
  {"serving.symptom": {"contains": "replica_out_of_memory"}, "not": {"serving.symptom": {"contains": "requests_dropped"}}},
  {"dimension": "serving_max_replicas", "avoid": ["raised"], "weight": 5},
  "Each replica runs out of memory ({serving.symptom}); every added replica has the same machine type and fails "
  "the same way. The machine type, not the replica count, has to change.",
  [{"serving": {"symptom": ["replica_out_of_memory"]}, "decisions": EP}],
  [{"serving": {"symptom": ["requests_dropped"]}, "decisions": EP}])
R("serving_max_replicas", "serving_max_replicas.default-bounded",
  "The maximum replica count stays sized for the expected peak",
  "4.2", [AUTORES], "always", P("serving_max_replicas", "bounded", 1),
  "Nothing stated shows requests being dropped at the maximum; keep the maximum replica count sized for the "
  "expected peak.",
  [{"decisions": EP}], default=True)

# ------------------------------------------------------------------ serving_machine
R("serving_machine", "serving_machine.oom-larger-memory",
  "Replicas that run out of memory need a machine type with more memory",
  "4.2", [AUTOSCALE, "https://cloud.google.com/vertex-ai/docs/predictions/configure-compute"],
  {"serving.symptom": {"contains": "replica_out_of_memory"}},
  P("serving_machine", "larger_memory", 8),
  "Serving replicas run out of memory ({serving.symptom}). The machine type of the deployed model sets each "
  "replica's memory; deploy on a machine type with more memory (a highmem type) so the model and its requests fit.",
  [{"serving": {"symptom": ["replica_out_of_memory"]}, "decisions": EP}],
  [{"serving": {"symptom": ["requests_dropped"]}, "decisions": EP}])
R("serving_machine", "serving_machine.default-unchanged",
  "The machine type stays as chosen for the model",
  "4.2", ["https://cloud.google.com/vertex-ai/docs/predictions/configure-compute"], "always",
  P("serving_machine", "default_machine", 1),
  "Nothing stated (such as replicas running out of memory) calls for another machine type.",
  [{"decisions": EP}], default=True)

# ------------------------------------------------------------------ model_cohosting
R("model_cohosting", "model_cohosting.many-sparse-models-pool",
  "Many models with sparse traffic share VMs in a deployment resource pool",
  "4.2", [COHOST],
  {"serving.models_count": {"gte": 5}, "serving.symptom": {"contains": "cost_too_high_idle"}},
  P("model_cohosting", "deployment_resource_pool", 7),
  "There are {serving.models_count} online models and idle capacity costs too much ({serving.symptom}). By default "
  "each model gets its own VMs; co-hosting in a deployment resource pool shares VMs across deployments, which works "
  "well when many deployed models have sparse traffic.",
  [{"serving": {"models_count": 40, "symptom": ["cost_too_high_idle"]}, "decisions": EP}],
  [{"serving": {"models_count": 2, "symptom": ["cost_too_high_idle"]}, "decisions": EP}])
R("model_cohosting", "model_cohosting.custom-container-no-pool",
  "Models in custom containers cannot be co-hosted in a deployment resource pool",
  "4.2", [COHOST], {"decision.serving_container": "custom"},
  {"dimension": "model_cohosting", "forbid": ["deployment_resource_pool"]},
  "The model is served from a custom container ({decision.serving_container}); resource sharing supports models "
  "in the TensorFlow and PyTorch prebuilt containers only, not custom containers.",
  [{"decisions": {**EP, "serving_container": "custom"}}],
  [{"decisions": {**EP, "serving_container": "prebuilt"}}])
R("model_cohosting", "model_cohosting.load-sensitive-dedicated",
  "Latency trouble under load argues against sharing VMs with other models",
  "4.2", [COHOST],
  {"serving.symptom": {"contains_any": ["latency_high_under_load", "replica_out_of_memory"]}},
  {"dimension": "model_cohosting", "avoid": ["deployment_resource_pool"], "weight": 5},
  "The endpoint already struggles ({serving.symptom}); models in one deployment resource pool are not isolated "
  "from each other and compete for CPU and memory, so sharing would make it worse.",
  [{"serving": {"symptom": ["latency_high_under_load"]}, "decisions": EP}],
  [{"serving": {"symptom": ["cost_too_high_idle"]}, "decisions": EP}])
R("model_cohosting", "model_cohosting.default-dedicated",
  "Each model keeps its own VMs", "4.2", [COHOST], "always", P("model_cohosting", "dedicated", 1),
  "Nothing stated (many models with sparse traffic) calls for sharing VMs; a model is deployed to its own VMs "
  "by default.", [{"decisions": EP}], default=True)

# ------------------------------------------------------------------ prediction_logging
R("prediction_logging", "prediction_logging.record-inputs-request-response",
  "Requests that must be kept, or quality drops nobody can explain, call for request-response logging",
  ["4.2", "6.2"], [LOGGING, RRLOG],
  {"any": [{"operations.inputs_must_be_recorded": True}, {"serving.symptom": {"contains": "predictions_unexplained_drop"}}]},
  P("prediction_logging", "request_response_logging", 7),
  "The scenario states {matched_facts}. Request-response logging writes a sample of the endpoint's requests and "
  "responses to a BigQuery table, where they can be audited, compared with ground truth and used to find what "
  "changed; access logging records only timing information.",
  [{"operations": {"inputs_must_be_recorded": True}, "decisions": EP}],
  [{"operations": {"inputs_must_be_recorded": False}, "decisions": EP}])
R("prediction_logging", "prediction_logging.default-container-only",
  "The endpoint keeps its default logs", "4.2", [LOGGING], "always",
  P("prediction_logging", "container_only", 1),
  "Nothing stated requires keeping requests or their timing; the container's own logs are kept.",
  [{"decisions": EP}], default=True)

# ------------------------------------------------------------------ monitoring_alerting
MON = {"serving_mode": "online", "monitoring": "vertex_model_monitoring"}
R("monitoring_alerting", "monitoring_alerting.alerts-thresholds",
  "Someone must be alerted: set thresholds and notification channels on the monitoring job",
  "6.2", [MONITOR], {"operations.alerts_required": True},
  P("monitoring_alerting", "thresholds_with_alerts", 7),
  "Someone must be alerted when inputs or quality change ({operations.alerts_required}). Model monitoring compares "
  "its statistics with a threshold per feature or metric and sends an alert (e-mail, Cloud Monitoring, Pub/Sub) when "
  "one is crossed; without thresholds and alerts it only fills dashboards.",
  [{"operations": {"alerts_required": True}, "decisions": MON}],
  [{"operations": {"alerts_required": False}, "decisions": MON}])
R("monitoring_alerting", "monitoring_alerting.default-thresholds",
  "Monitoring normally alerts when a threshold is crossed", "6.2", [MONITOR], "always",
  P("monitoring_alerting", "thresholds_with_alerts", 1),
  "Monitoring that nobody is told about is rarely useful: the default is a threshold per monitored feature with "
  "an alert when it is crossed.", [{"decisions": MON}], default=True)

# ------------------------------------------------------------------ deidentification
SDP = {"privacy": "sensitive_data_protection"}
R("deidentification", "deidentification.format-preserving-fpe",
  "Values that must keep their format are tokenized with format-preserving encryption",
  "2.1", [DLP_P, DLP_T],
  {"data.deidentification_needs": {"contains": "format_preserving"}, "not": {"data.deidentification_reversibility": "irreversible"}},
  P("deidentification", "format_preserving_encryption", 8),
  "De-identified values must keep their format ({data.deidentification_needs}). Of Sensitive Data Protection's "
  "pseudonymization methods only format-preserving encryption (FPE-FFX) keeps the character set and length of the "
  "input; it is reversible with the key and keeps referential integrity.",
  [{"data": {"deidentification_needs": ["format_preserving"], "deidentification_reversibility": "reversible"}, "decisions": SDP}],
  [{"data": {"deidentification_needs": ["joinable"], "deidentification_reversibility": "reversible"}, "decisions": SDP}])
R("deidentification", "deidentification.reversible-joinable-deterministic",
  "Reversible, joinable tokens without a format need are deterministic encryption",
  "2.1", [DLP_P, DLP_T],
  {"data.deidentification_reversibility": "reversible", "data.deidentification_needs": {"contains": "joinable"},
   "not": {"data.deidentification_needs": {"contains": "format_preserving"}}},
  P("deidentification", "deterministic_encryption", 7),
  "Authorised people must recover the values ({data.deidentification_reversibility}) and the same value must give "
  "the same token everywhere ({data.deidentification_needs}). Deterministic encryption with AES-SIV is reversible "
  "with the key and keeps referential integrity, with no limits on the input's character set.",
  [{"data": {"deidentification_needs": ["joinable"], "deidentification_reversibility": "reversible"}, "decisions": SDP}],
  [{"data": {"deidentification_needs": ["joinable"], "deidentification_reversibility": "irreversible"}, "decisions": SDP}])
R("deidentification", "deidentification.irreversible-excludes-two-way-tokens",
  "Values nobody may recover cannot use two-way (reversible) tokens",
  "2.1", [DLP_P], {"data.deidentification_reversibility": "irreversible"},
  {"dimension": "deidentification", "forbid": ["format_preserving_encryption", "deterministic_encryption"]},
  "Nobody may ever recover the original values ({data.deidentification_reversibility}). Format-preserving and "
  "deterministic encryption make two-way tokens: the key that creates them also reverses them.",
  [{"data": {"deidentification_reversibility": "irreversible"}, "decisions": SDP}],
  [{"data": {"deidentification_reversibility": "reversible"}, "decisions": SDP}])
R("deidentification", "deidentification.irreversible-joinable-hash",
  "One-way tokens that still join are a cryptographic hash",
  "2.1", [DLP_P, DLP_T],
  {"data.deidentification_reversibility": "irreversible", "data.deidentification_needs": {"contains": "joinable"}},
  P("deidentification", "secure_hash", 7),
  "Values must never be recovered ({data.deidentification_reversibility}) yet must still join "
  "({data.deidentification_needs}). A cryptographic hash (HMAC-SHA-256 with a key) gives the same token for the "
  "same value, so joins and counts work, and cannot be re-identified.",
  [{"data": {"deidentification_needs": ["joinable"], "deidentification_reversibility": "irreversible"}, "decisions": SDP}],
  [{"data": {"deidentification_needs": ["joinable"], "deidentification_reversibility": "reversible"}, "decisions": SDP}])
R("deidentification", "deidentification.partial-display-masking",
  "Showing only part of a value (the last digits) is character masking",
  "2.1", [DLP_T], {"data.deidentification_needs": {"contains": "partial_display"}},
  P("deidentification", "masking", 7),
  "Part of the value must stay visible ({data.deidentification_needs}). Masking replaces a number of characters "
  "with a surrogate character such as # or *, and can skip the last characters.",
  [{"data": {"deidentification_needs": ["partial_display"]}, "decisions": SDP}],
  [{"data": {"deidentification_needs": ["joinable"]}, "decisions": SDP}])
R("deidentification", "deidentification.shift-dates",
  "Dates that may move but must keep their intervals are date-shifted",
  "2.1", [DLP_T], {"data.deidentification_needs": {"contains": "shift_dates"}},
  P("deidentification", "date_shifting", 7),
  "Dates may move but the intervals between them must stay ({data.deidentification_needs}). Date shifting moves "
  "dates by a random amount per person, so sequences and durations are kept while the real dates are hidden.",
  [{"data": {"deidentification_needs": ["shift_dates"]}, "decisions": SDP}],
  [{"data": {"deidentification_needs": ["generalize"]}, "decisions": SDP}])
R("deidentification", "deidentification.generalize-bucketing",
  "Quasi-identifiers whose signal must stay are generalized into buckets",
  "2.1", [DLP_T], {"data.deidentification_needs": {"contains": "generalize"}},
  P("deidentification", "bucketing", 5),
  "Values may be coarsened but their signal kept ({data.deidentification_needs}); bucketing replaces a value "
  "with a range (an age with an age band).",
  [{"data": {"deidentification_needs": ["generalize"]}, "decisions": SDP}],
  [{"data": {"deidentification_needs": ["shift_dates"]}, "decisions": SDP}])
R("deidentification", "deidentification.keep-a-need-not-drop",
  "Data whose de-identified form must still be used is transformed, not dropped or redacted",
  "2.1", [DLP_T], {"data.deidentification_needs": {"present": True}},
  {"dimension": "deidentification", "avoid": ["removal", "redaction", "replacement"], "weight": 4},
  "The de-identified data must still allow something ({data.deidentification_needs}); removing the field, redacting "
  "it or replacing it with its infoType name keeps none of it.",
  [{"data": {"deidentification_needs": ["joinable"]}, "decisions": SDP}],
  [{"decisions": SDP}])

# ------------------------------------------------------------------ hyperparameter_search / tuning
VZ = {"approach": "custom_training", "hyperparameter_tuning": "vertex_vizier"}
R("hyperparameter_search", "hyperparameter_search.continuous-forbids-grid",
  "Grid search cannot search continuous hyperparameters", "3.2", [ALGO],
  {"model.hyperparameter_types": {"contains": "continuous"}},
  {"dimension": "hyperparameter_search", "forbid": ["grid"]},
  "A searched parameter is continuous ({model.hyperparameter_types}); to use grid search every parameter must be "
  "INTEGER, CATEGORICAL or DISCRETE.",
  [{"model": {"hyperparameter_types": ["continuous"]}, "decisions": VZ}],
  [{"model": {"hyperparameter_types": ["integer"]}, "decisions": VZ}])
R("hyperparameter_search", "hyperparameter_search.small-discrete-cheap-grid",
  "A small discrete space with cheap trials can be searched exhaustively with grid search", "3.2", [ALGO, HPT],
  {"model.hyperparameter_types": {"contains_none": ["continuous"]}, "model.trial_cost": "cheap"},
  P("hyperparameter_search", "grid", 5),
  "Every parameter is discrete ({model.hyperparameter_types}) and trials are cheap ({model.trial_cost}): grid "
  "search tries every combination in the feasible space, so nothing is left untried.",
  [{"model": {"hyperparameter_types": ["integer", "categorical"], "trial_cost": "cheap"}, "decisions": VZ}],
  [{"model": {"hyperparameter_types": ["integer", "categorical"], "trial_cost": "expensive"}, "decisions": VZ}])
R("hyperparameter_search", "hyperparameter_search.expensive-trials-bayesian",
  "Expensive trials call for the default (Bayesian) search, which learns from finished trials", "3.2", [ALGO, HPT],
  {"model.trial_cost": "expensive"}, P("hyperparameter_search", "bayesian", 6),
  "Each trial is expensive ({model.trial_cost}); the default algorithm of Vertex AI hyperparameter tuning uses the "
  "results of finished trials to choose the next values, so it needs fewer trials than grid or random search.",
  [{"model": {"trial_cost": "expensive"}, "decisions": VZ}],
  [{"model": {"trial_cost": "cheap"}, "decisions": VZ}])
R("hyperparameter_search", "hyperparameter_search.default-bayesian",
  "The tuning job uses its default search algorithm", "3.2", [ALGO], "always",
  P("hyperparameter_search", "bayesian", 1),
  "Nothing stated calls for another algorithm; the default algorithm of Vertex AI hyperparameter tuning and Vizier applies.",
  [{"decisions": VZ}], default=True)
R("tuning_early_stopping", "tuning_early_stopping.expensive-trials-enable",
  "Expensive trials are stopped early when they fall behind", "3.2", [STOP, HPT],
  {"model.trial_cost": "expensive"}, P("tuning_early_stopping", "enabled", 6),
  "Trials are expensive ({model.trial_cost}); automated early stopping (the median rule) stops a trial whose "
  "objective falls below the median of completed trials at the same point, saving the rest of its cost.",
  [{"model": {"trial_cost": "expensive"}, "decisions": VZ}],
  [{"model": {"trial_cost": "cheap"}, "decisions": VZ}])
R("tuning_early_stopping", "tuning_early_stopping.default-disabled",
  "Trials run to the end unless trial cost calls for early stopping", "3.2", [STOP], "always",
  P("tuning_early_stopping", "disabled", 1),
  "Nothing stated about the cost of a trial; every trial runs to the end.", [{"decisions": VZ}], default=True)
R("tuning_parallel_trials", "tuning_parallel_trials.fast-results-many",
  "When results are needed fast, run many trials in parallel", "3.2", [HPT],
  {"operations.iteration_speed": "fast", "not": {"model.trial_cost": "expensive"}},
  P("tuning_parallel_trials", "many", 5),
  "Results are needed quickly ({operations.iteration_speed}). Running trials in parallel shortens the job's "
  "wall-clock time, at the price of a less effective search, since each trial learns from fewer finished ones.",
  [{"operations": {"iteration_speed": "fast"}, "decisions": VZ}],
  [{"operations": {"iteration_speed": "normal"}, "decisions": VZ}])
R("tuning_parallel_trials", "tuning_parallel_trials.expensive-few",
  "Expensive trials run few at a time so each learns from the finished ones", "3.2", [HPT, ALGO],
  {"model.trial_cost": "expensive"}, P("tuning_parallel_trials", "few", 4),
  "Trials are expensive ({model.trial_cost}); with few trials in parallel the search uses more finished results "
  "to choose each next trial, and needs fewer of them.",
  [{"model": {"trial_cost": "expensive"}, "decisions": VZ}],
  [{"model": {"trial_cost": "cheap"}, "decisions": VZ}])
R("tuning_parallel_trials", "tuning_parallel_trials.default-few",
  "A tuning job runs few trials in parallel by default", "3.2", [HPT], "always",
  P("tuning_parallel_trials", "few", 1),
  "Nothing stated about how fast results are needed; few parallel trials give the most effective search.",
  [{"decisions": VZ}], default=True)

# ------------------------------------------------------------------ distribution_strategy
CT = {"approach": "custom_training"}
R("distribution_strategy", "distribution_strategy.does-not-fit-model-parallel",
  "A model that does not fit one accelerator must be sharded", "3.2", [DIST],
  {"model.fits_accelerator_memory": False}, {"dimension": "distribution_strategy", "require": "model_parallel"},
  "The model does not fit in one accelerator's memory ({model.fits_accelerator_memory}). Data parallelism copies the "
  "whole model to every device, so only sharding the model itself across devices (FSDP, tensor or pipeline "
  "parallelism) can train it.",
  [{"model": {"fits_accelerator_memory": False}, "decisions": CT}],
  [{"model": {"fits_accelerator_memory": True}, "decisions": CT}])
R("distribution_strategy", "distribution_strategy.one-host-many-gpus-mirrored",
  "Several GPUs on one machine train synchronously with a mirrored strategy", "3.2", [DIST],
  {"model.accelerators_per_machine": {"gt": 1}, "not": {"model.fits_accelerator_memory": False}, "decision.training_hardware": "gpu"},
  P("distribution_strategy", "mirrored", 7),
  "The training machine has {model.accelerators_per_machine} GPUs ({decision.training_hardware}) and the model fits "
  "one of them: synchronous data parallelism on one machine (MirroredStrategy, PyTorch DDP on one host) uses them all "
  "without a multi-node cluster.",
  [{"model": {"accelerators_per_machine": 8}, "decisions": {**CT, "training_hardware": "gpu"}}],
  [{"model": {"accelerators_per_machine": 1}, "decisions": {**CT, "training_hardware": "gpu"}}])
R("distribution_strategy", "distribution_strategy.tpu-tpustrategy",
  "Training on TPUs uses the TPU distribution strategy", "3.2", [DIST, "https://docs.cloud.google.com/tpu/docs/intro-to-tpu"],
  {"decision.training_hardware": "tpu", "not": {"model.fits_accelerator_memory": False}},
  P("distribution_strategy", "tpu_strategy", 8),
  "The model trains on TPUs ({decision.training_hardware}); a TPU slice is driven by the framework's TPU strategy "
  "(TPUStrategy, or JAX/XLA sharding), not by GPU all-reduce or parameter servers.",
  [{"decisions": {**CT, "training_hardware": "tpu"}}],
  [{"decisions": {**CT, "training_hardware": "gpu"}}])
R("distribution_strategy", "distribution_strategy.sparse-embeddings-parameter-server",
  "Huge sparse embeddings trained on CPU workers use parameter servers", "3.2", [DIST],
  {"data.sparse_categorical": True, "model.size": {"in": ["large", "very_large"]}, "decision.training_hardware": "cpu"},
  P("distribution_strategy", "parameter_server", 6),
  "The model is {model.size} with sparse, high-cardinality inputs ({data.sparse_categorical}) and trains on CPU "
  "workers ({decision.training_hardware}): parameter servers hold the large embedding tables and coordinate the "
  "shared model state between the workers.",
  [{"data": {"sparse_categorical": True}, "model": {"size": "large"}, "decisions": {**CT, "training_hardware": "cpu"}}],
  [{"data": {"sparse_categorical": True}, "model": {"size": "large"}, "decisions": {**CT, "training_hardware": "gpu"}}])
R("distribution_strategy", "distribution_strategy.follows-multi-worker-topology",
  "A multi-worker all-reduce job runs the multi-worker mirrored strategy", "3.2", [DIST],
  {"decision.distributed_training": {"in": ["multi_worker_data_parallel", "reduction_server", "horovod"]}},
  P("distribution_strategy", "multi_worker_mirrored", 4),
  "The job runs several workers with all-reduce ({decision.distributed_training}); the training code uses the "
  "multi-worker form of synchronous data parallelism (MultiWorkerMirroredStrategy, PyTorch DDP multi-node).",
  [{"decisions": {**CT, "distributed_training": "multi_worker_data_parallel"}}],
  [{"decisions": {**CT, "distributed_training": "single_node"}}])
R("distribution_strategy", "distribution_strategy.default-one-device",
  "Training runs on one device unless the model or machine calls for distribution", "3.2", [DIST], "always",
  P("distribution_strategy", "one_device", 1),
  "Nothing stated (accelerators per machine, a model that does not fit, TPUs, parameter servers) calls for a "
  "distribution strategy.", [{"decisions": CT}], default=True)
R("distributed_training", "distributed_training.does-not-fit-model-parallel",
  "A model that does not fit one accelerator is trained model-parallel", "3.2", [DIST],
  {"model.fits_accelerator_memory": False}, P("distributed_training", "model_parallel", 9),
  "The model does not fit in one accelerator's memory ({model.fits_accelerator_memory}); the job must shard the model "
  "across accelerators rather than replicate it.",
  [{"model": {"fits_accelerator_memory": False}, "decisions": CT}],
  [{"model": {"fits_accelerator_memory": True}, "decisions": CT}])

# ------------------------------------------------------------------ training_data_ingestion
R("training_data_ingestion", "training_data_ingestion.files-cloud-storage-fuse",
  "Unstructured or TFRecord files in Cloud Storage are read through Cloud Storage FUSE", ["2.1", "3.2"], [FUSE],
  {"data.location": "cloud_storage", "data.file_formats": {"contains_any": ["images", "audio", "video", "tfrecord", "documents"]}},
  P("training_data_ingestion", "cloud_storage_fuse", 6),
  "The training files are {data.file_formats} in Cloud Storage ({data.location}). Cloud Storage FUSE mounts buckets "
  "under /gcs and streams the data to the job; Google recommends it for unstructured data, TFRecord, large files and "
  "distributed training.",
  [{"data": {"location": "cloud_storage", "file_formats": ["images"]}, "decisions": CT}],
  [{"data": {"location": "cloud_storage", "file_formats": ["csv"]}, "decisions": CT}])
R("training_data_ingestion", "training_data_ingestion.bigquery-direct",
  "Tables in BigQuery are read directly from BigQuery", ["2.1", "3.2"],
  ["https://cloud.google.com/vertex-ai/docs/training/using-managed-datasets", "https://cloud.google.com/bigquery/docs/reference/storage"],
  {"data.location": "bigquery"}, P("training_data_ingestion", "bigquery_read", 5),
  "The training data is a BigQuery table ({data.location}); the job reads it directly (BigQuery Storage Read API) "
  "instead of exporting copies.",
  [{"data": {"location": "bigquery"}, "decisions": CT}],
  [{"data": {"location": "cloud_storage"}, "decisions": CT}])
R("training_data_ingestion", "training_data_ingestion.operational-db-export",
  "Data in operational databases is exported to BigQuery or Cloud Storage before training", ["2.1", "3.2"], [FED, FUSE],
  {"data.location": {"in": ["cloud_sql", "spanner", "alloydb", "on_prem_database", "bigtable"]}},
  P("training_data_ingestion", "export_then_read", 6),
  "The data lives in an operational database ({data.location}). Training reads large volumes repeatedly; copy the "
  "data out first (a federated query into BigQuery, or an export to Cloud Storage) rather than load the serving "
  "database from the training job.",
  [{"data": {"location": "cloud_sql"}, "decisions": CT}],
  [{"data": {"location": "bigquery"}, "decisions": CT}])
R("training_data_ingestion", "training_data_ingestion.default-fuse",
  "Training reads its files from Cloud Storage", ["3.2"], [FUSE], "always",
  P("training_data_ingestion", "cloud_storage_fuse", 1),
  "Nothing stated about where or in which format the data is; custom training reads files from Cloud Storage "
  "(mounted under /gcs).", [{"decisions": CT}], default=True)

# ------------------------------------------------------------------ data_processing (new choices)
R("data_processing_sources", "data_processing.operational-db-federated",
  "A SQL team with data in Cloud SQL, Spanner or AlloyDB queries it from BigQuery with federated queries", "2.1", [FED],
  {"data.location": {"in": ["cloud_sql", "spanner", "alloydb"]}, "team.skills": {"contains": "sql"}},
  P("data_processing", "bigquery_federated", 5),
  "The data lives in {data.location} and the team writes SQL ({team.skills}). BigQuery federated queries read "
  "Cloud SQL, Spanner and AlloyDB in place (EXTERNAL_QUERY), so features are built in SQL without a copy pipeline.",
  [{"data": {"location": "cloud_sql"}, "team": {"skills": ["sql"]}}],
  [{"data": {"location": "bigquery"}, "team": {"skills": ["sql"]}}])
R("data_processing_sources", "data_processing.no-code-bigquery-data-preparation",
  "Analysts who want no code clean BigQuery data with BigQuery data preparation", ["1.3", "2.1"], [PREP],
  {"team.prefers_no_code": True, "data.location": "bigquery"},
  P("data_processing", "bigquery_data_preparation", 6),
  "The users want a no-code workflow ({team.prefers_no_code}) on data in BigQuery ({data.location}). BigQuery data "
  "preparation suggests cleaning and transformation steps with Gemini, previews them, and schedules them with "
  "Dataform.",
  [{"team": {"prefers_no_code": True}, "data": {"location": "bigquery"}}],
  [{"team": {"prefers_no_code": False}, "data": {"location": "bigquery"}}])
R("data_processing_sources", "data_processing.shared-transform-tensorflow-tft",
  "TensorFlow transformations that must match at serving time are written with TensorFlow Transform", ["2.1", "5.1"], [MLOPS, TFT],
  {"data.preprocessing_shared_with_serving": True, "model.framework": {"in": ["tensorflow", "keras"]},
   "not": {"data.location": "bigquery"}},
  P("data_processing", "tf_transform", 5),
  "The training transformations must be applied identically at serving time ({data.preprocessing_shared_with_serving}) "
  "for a {model.framework} model. TensorFlow Transform computes the full-pass statistics once and exports the "
  "transformation as a TensorFlow graph that is part of the served model.",
  [{"data": {"preprocessing_shared_with_serving": True}, "model": {"framework": "tensorflow"}}],
  [{"data": {"preprocessing_shared_with_serving": True}, "model": {"framework": "xgboost"}}])
R("data_processing_sources", "data_processing.shared-transform-bigquery-ml",
  "BigQuery ML preprocessing that must match at prediction time goes in the TRANSFORM clause", ["1.1", "2.1"], [BQTRANSFORM],
  {"data.preprocessing_shared_with_serving": True, "decision.approach": "bigquery_ml"},
  P("data_processing", "bigquery_ml_transform", 6),
  "The preprocessing must be applied identically at prediction time ({data.preprocessing_shared_with_serving}) for a "
  "BigQuery ML model ({decision.approach}). With the TRANSFORM clause the preprocessing is saved with the model and "
  "applied automatically by ML.PREDICT.",
  [{"data": {"preprocessing_shared_with_serving": True}, "decisions": {"approach": "bigquery_ml"}}],
  [{"data": {"preprocessing_shared_with_serving": True}, "decisions": {"approach": "custom_training"}}])

# ------------------------------------------------------------------ serving_preprocessing
ON = {"serving_mode": "online", "serving_platform": "vertex_endpoint_public"}
R("serving_preprocessing", "serving_preprocessing.custom-request-code-cpr",
  "Custom code per prediction request runs in a custom prediction routine", "4.1", [CPR],
  {"serving.custom_request_processing": True,
   "decision.serving_platform": {"in": ["vertex_endpoint_public", "vertex_endpoint_private", "vertex_batch_prediction"]}},
  P("serving_preprocessing", "custom_prediction_routine", 7),
  "Each request needs custom code before or after the model ({serving.custom_request_processing}). Custom prediction "
  "routines let you write the preprocess and postprocess code and build a serving container from it without writing "
  "a model server.",
  [{"serving": {"custom_request_processing": True}, "decisions": ON}],
  [{"serving": {"custom_request_processing": False}, "decisions": ON}])
R("serving_preprocessing", "serving_preprocessing.same-transform-in-graph",
  "Transformations exported with the model run inside it at serving time", ["4.1", "5.1"], [BQTRANSFORM, MLOPS, TFT],
  {"data.preprocessing_shared_with_serving": True,
   "decision.data_processing": {"in": ["tf_transform", "bigquery_ml_transform", "in_model_preprocessing"]}},
  P("serving_preprocessing", "in_model_graph", 8),
  "The transformations must be identical at serving time ({data.preprocessing_shared_with_serving}) and are built "
  "with {decision.data_processing}, which saves them with the model: serving runs them inside the model, so they "
  "cannot drift from training.",
  [{"data": {"preprocessing_shared_with_serving": True}, "decisions": {**ON, "data_processing": "tf_transform"}}],
  [{"data": {"preprocessing_shared_with_serving": True}, "decisions": {**ON, "data_processing": "dataflow"}}])
R("serving_preprocessing", "serving_preprocessing.no-caller-reimplementation",
  "Transformations that must match training are not re-implemented by the caller", ["4.1", "5.1"], [MLOPS, TFT],
  {"data.preprocessing_shared_with_serving": True},
  {"dimension": "serving_preprocessing", "avoid": ["caller_reimplemented"], "weight": 7},
  "The transformations must be identical at training and serving time ({data.preprocessing_shared_with_serving}); "
  "a second implementation in the calling application is the classic source of training-serving skew.",
  [{"data": {"preprocessing_shared_with_serving": True}, "decisions": ON}],
  [{"data": {"preprocessing_shared_with_serving": False}, "decisions": ON}])
R("serving_preprocessing", "serving_preprocessing.default-none",
  "Nothing is said about serving-time transformations", "4.1", [PRED], "always",
  P("serving_preprocessing", "none", 1),
  "Nothing stated requires custom request code or shared transformations; inputs go to the model as sent.",
  [{"decisions": ON}], default=True)

# ------------------------------------------------------------------ online_lookup_store + serving_mode words
BT = {"serving_mode": "batch", "serving_platform": "vertex_batch_prediction"}
R("online_lookup_store", "online_lookup_store.precomputed-fast-lookup-bigtable",
  "Precomputed predictions read by an application at low latency are served from Bigtable", "4.1", [FSTYPES, PRED],
  {"serving.precomputable": True, "serving.consumers": {"contains": "application"},
   "any": [{"serving.latency_class": {"in": ["realtime", "interactive"]}}, {"serving.latency_ms": {"lte": 1000}}]},
  P("online_lookup_store", "bigtable", 6),
  "The entities are known ahead ({serving.precomputable}), so predictions are computed in batch, and an application "
  "reads them with {matched_facts}: a batch output table is not an online store, while Bigtable serves large "
  "key-value volumes at low latency.",
  [{"serving": {"precomputable": True, "consumers": ["application"], "latency_class": "realtime"}, "decisions": BT}],
  [{"serving": {"precomputable": True, "consumers": ["bigquery"], "latency_class": "realtime"}, "decisions": BT}])
R("online_lookup_store", "online_lookup_store.default-none",
  "Batch results stay where the batch job writes them", "4.1", [PRED], "always",
  P("online_lookup_store", "none", 1),
  "Nothing stated says an application must read the results at low latency.", [{"decisions": BT}], default=True)
R("serving_mode", "serving_mode.precomputable-many-batch",
  "Predictions for entities known ahead, at high volume, are computed in batch", "4.1", [PRED],
  {"serving.precomputable": True, "any": [{"serving.volume_class": "high"}, {"serving.max_staleness_hours": {"gte": 12}}]},
  P("serving_mode", "batch", 6),
  "The entities to score are known ahead ({serving.precomputable}) and {matched_facts}: computing every prediction "
  "in a batch job and looking it up costs far less than an endpoint answering each request.",
  [{"serving": {"precomputable": True, "volume_class": "high"}}],
  [{"serving": {"precomputable": False, "volume_class": "high"}}])
R("serving_mode", "serving_mode.realtime-words-online",
  "Predictions asked for in real time on inputs not known ahead are served online", "4.1", [PRED],
  {"serving.latency_class": {"in": ["realtime", "interactive"]}, "not": {"serving.precomputable": True}},
  P("serving_mode", "online", 6),
  "The latency is stated as {serving.latency_class} and the inputs are not known in advance: an online endpoint "
  "answers each request synchronously.",
  [{"serving": {"latency_class": "realtime", "precomputable": False}}],
  [{"serving": {"latency_class": "offline"}}, {"serving": {"latency_class": "realtime", "precomputable": True}}])
R("serving_mode", "serving_mode.offline-words-batch",
  "Predictions that may take hours are computed in batch", "4.1", [PRED],
  {"serving.latency_class": "offline"}, P("serving_mode", "batch", 5),
  "The latency is stated as {serving.latency_class}: nobody waits for each answer, so a batch job scores the "
  "records at the lowest cost.",
  [{"serving": {"latency_class": "offline"}}], [{"serving": {"latency_class": "realtime"}}])
R("serving_mode", "serving_mode.high-volume-words-online-scale",
  "Medium or high request volume in real time needs an autoscaled online endpoint, not per-call functions", "4.2", [PRED, AUTOSCALE],
  {"serving.volume_class": {"in": ["medium", "high"]}, "serving.latency_class": "realtime", "not": {"serving.precomputable": True}},
  P("serving_mode", "online", 2),
  "Traffic is stated as {serving.volume_class} with {serving.latency_class} latency; an online endpoint scales its "
  "replicas with the load.",
  [{"serving": {"volume_class": "high", "latency_class": "realtime"}}],
  [{"serving": {"volume_class": "low", "latency_class": "realtime"}}])

# ------------------------------------------------------------------ rollout exposure
OL = {"serving_mode": "online"}
R("rollout", "rollout.no-user-exposure-shadow",
  "A candidate that may not affect any user is evaluated in shadow, on recorded requests", "4.1", [LOGGING, RRLOG, ENDPOINT_TYPE],
  {"serving.candidate_exposure": "none"}, P("rollout", "shadow", 8),
  "No user may receive the new version's predictions while it is evaluated ({serving.candidate_exposure}). Record "
  "production requests (request-response logging to BigQuery) and score them with the candidate, comparing its "
  "answers with the serving model's, before any traffic moves.",
  [{"serving": {"candidate_exposure": "none"}, "decisions": OL}],
  [{"serving": {"candidate_exposure": "small_share"}, "decisions": OL}],
  notes="Weak citation, kept on purpose (issue 13, open question 1): no Google page documents a shadow deployment "
        "on Vertex AI endpoints, which do not mirror traffic; the pages cited document the request-response logging "
        "the shadow comparison relies on and the traffic split it avoids.")
R("rollout", "rollout.no-user-exposure-forbids-live-split",
  "A candidate that may not affect users cannot get a traffic share", "4.1", [ENDPOINT_TYPE],
  {"serving.candidate_exposure": "none"}, {"dimension": "rollout", "forbid": ["canary", "traffic_split_ab", "direct"]},
  "A canary, an A/B traffic split and a direct switch all return the candidate's predictions to some or all users, "
  "which is ruled out ({serving.candidate_exposure}).",
  [{"serving": {"candidate_exposure": "none"}, "decisions": OL}],
  [{"serving": {"candidate_exposure": "split_for_comparison"}, "decisions": OL}])
R("rollout", "rollout.small-share-canary",
  "A small accepted exposure means a canary rollout", "4.1", [ENDPOINT_TYPE],
  {"serving.candidate_exposure": "small_share"}, P("rollout", "canary", 8),
  "A small share of users may see the new version first ({serving.candidate_exposure}): deploy it to the same "
  "endpoint with a small traffic percentage, watch it, then move the rest of the traffic.",
  [{"serving": {"candidate_exposure": "small_share"}, "decisions": OL}],
  [{"serving": {"candidate_exposure": "none"}, "decisions": OL}])
R("rollout", "rollout.split-for-comparison-ab",
  "Splitting users to compare a business metric is an A/B traffic split", "4.1", [ENDPOINT_TYPE],
  {"serving.candidate_exposure": "split_for_comparison"}, P("rollout", "traffic_split_ab", 8),
  "Users are split between versions to compare a business metric ({serving.candidate_exposure}); deploy both "
  "versions to one endpoint with a traffic split.",
  [{"serving": {"candidate_exposure": "split_for_comparison"}, "decisions": OL}],
  [{"serving": {"candidate_exposure": "small_share"}, "decisions": OL}])

# ------------------------------------------------------------------ genai / grounding
FM = {"approach": "foundation_model"}
R("genai_adaptation", "genai_adaptation.changing-documents-ground",
  "Answers that must follow frequently changing documents are grounded, not tuned", "1.2", [GROUND, GROUNDG],
  {"problem.knowledge_changes": "frequent", "not": {"problem.knowledge_source": "model_only"}},
  P("genai_adaptation", "grounding_rag", 7),
  "The knowledge behind the answers changes often ({problem.knowledge_changes}). Grounding retrieves the current "
  "documents at request time, so an update is visible at once; a tuned model would have to be tuned again after "
  "every change.",
  [{"problem": {"knowledge_changes": "frequent"}, "decisions": FM}],
  [{"problem": {"knowledge_changes": "static"}, "decisions": FM}])
R("genai_adaptation", "genai_adaptation.citations-need-grounding",
  "Answers that must cite their sources are grounded", "1.2", [GROUND, GROUNDG],
  {"problem.citations_required": True}, P("genai_adaptation", "grounding_rag", 6),
  "Every answer must cite its source ({problem.citations_required}); grounded responses come with the sources they "
  "were drawn from, which prompting or tuning alone cannot provide.",
  [{"problem": {"citations_required": True}, "decisions": FM}],
  [{"problem": {"citations_required": False}, "decisions": FM}])
GR = {"approach": "foundation_model", "genai_adaptation": "grounding_rag"}
R("grounding_source", "grounding_source.own-documents-agent-search",
  "Grounding in own documents or websites uses Agent Search data stores", "1.2", [GROUND],
  {"problem.knowledge_source": "own_documents"}, P("grounding_source", "agent_search_datastore", 5),
  "The facts live in the organisation's own documents ({problem.knowledge_source}). Grounding with Agent Search "
  "(formerly Vertex AI Search) indexes websites or document sets in a managed data store and grounds the model's "
  "answers in them, with no retrieval code to write.",
  [{"problem": {"knowledge_source": "own_documents"}, "decisions": GR}],
  [{"problem": {"knowledge_source": "public_web"}, "decisions": GR}])
R("grounding_source", "grounding_source.public-web-google-search",
  "Current public information is grounded with Google Search", "1.2", [GROUNDG],
  {"problem.knowledge_source": "public_web"}, P("grounding_source", "google_search", 6),
  "The facts are current public information ({problem.knowledge_source}); Grounding with Google Search connects the "
  "model to up-to-date information on the internet.",
  [{"problem": {"knowledge_source": "public_web"}, "decisions": GR}],
  [{"problem": {"knowledge_source": "own_documents"}, "decisions": GR}])
R("grounding_source", "grounding_source.own-documents-not-google-search",
  "Google Search cannot ground answers in internal documents", "1.2", [GROUNDG, GROUND],
  {"problem.knowledge_source": "own_documents"}, {"dimension": "grounding_source", "avoid": ["google_search"], "weight": 6},
  "The facts are in the organisation's own documents ({problem.knowledge_source}); Google Search grounds in public "
  "web data, which does not hold them.",
  [{"problem": {"knowledge_source": "own_documents"}, "decisions": GR}],
  [{"problem": {"knowledge_source": "public_web"}, "decisions": GR}])
R("grounding_source", "grounding_source.default-agent-search",
  "Grounding defaults to a managed Agent Search data store", "1.2", [GROUND], "always",
  P("grounding_source", "agent_search_datastore", 1),
  "Nothing stated about where the facts live; a managed data store is the lowest-effort way to ground answers.",
  [{"decisions": GR}], default=True)

# ------------------------------------------------------------------ ml_api / approach for agents and search
API = {"approach": "pretrained_api"}
R("ml_api_agents", "ml_api.conversation-dialogflow-cx",
  "Multi-turn customer conversations are built with Dialogflow CX", "1.2", [DIALOG],
  {"problem.task": "conversational_agent"}, P("ml_api", "dialogflow_cx", 8),
  "The task is a conversational agent ({problem.task}); Dialogflow CX builds virtual agents with flows, intents, "
  "hand-off to people and telephony, without training a model.",
  [{"problem": {"task": "conversational_agent"}, "decisions": API}],
  [{"problem": {"task": "sentiment_analysis"}, "decisions": API}])
R("ml_api_agents", "ml_api.enterprise-search-agent-search",
  "Search and answers over own documents use Agent Search", "1.2", [GROUND],
  {"problem.task": "enterprise_search"}, P("ml_api", "agent_search", 8),
  "The task is search or question answering over the organisation's own content ({problem.task}); Agent Search "
  "(formerly Vertex AI Search) indexes websites and document sets and answers from them as a managed service.",
  [{"problem": {"task": "enterprise_search"}, "decisions": {"approach": "industry_api"}}],
  [{"problem": {"task": "document_extraction"}, "decisions": {"approach": "industry_api"}}])
R("approach_agents", "approach.conversation-or-search-managed",
  "Conversational agents and enterprise search are managed products, not models to train", ["1.2"], [DIALOG, GROUND],
  {"problem.task": {"in": ["conversational_agent", "enterprise_search"]}},
  {"dimension": "approach", "avoid": ["custom_training", "automl", "bigquery_ml"], "weight": 6},
  "The task is {problem.task}; Dialogflow CX and Agent Search provide it as a managed service, so training a model "
  "would rebuild what exists.",
  [{"problem": {"task": "conversational_agent"}}], [{"problem": {"task": "regression"}}])
R("approach_agents", "approach.conversation-pretrained",
  "A conversational agent is built on the pre-trained conversational service", ["1.2"], [DIALOG],
  {"problem.task": "conversational_agent"}, P("approach", "pretrained_api", 6),
  "The task is a conversational agent ({problem.task}); Dialogflow CX is a pre-built conversational service.",
  [{"problem": {"task": "conversational_agent"}}], [{"problem": {"task": "enterprise_search"}}])
R("approach_agents", "approach.enterprise-search-industry",
  "Enterprise search is served by Agent Search", ["1.2"], [GROUND],
  {"problem.task": "enterprise_search"}, P("approach", "industry_api", 6),
  "The task is search over own documents ({problem.task}); Agent Search provides it ready-made.",
  [{"problem": {"task": "enterprise_search"}}], [{"problem": {"task": "conversational_agent"}}])

# ------------------------------------------------------------------ bqml_model
BQ = {"approach": "bigquery_ml"}
R("bqml_model", "bqml_model.seasonality-holidays-arima",
  "Seasonal series with holiday effects and no external drivers are forecast with ARIMA_PLUS", "1.1", [ARIMA, HOLI],
  {"problem.task": "forecasting", "data.time_series_traits": {"contains_any": ["seasonality", "holidays"]}, "not": {"data.time_series_traits": {"contains": "external_drivers"}}},
  P("bqml_model", "arima_plus", 6),
  "The series has {data.time_series_traits} and no external drivers are stated. ARIMA_PLUS models seasonality "
  "automatically and takes a holiday region to model holiday effects.",
  [{"problem": {"task": "forecasting"}, "data": {"time_series_traits": ["seasonality", "holidays"]}, "decisions": BQ}],
  [{"problem": {"task": "forecasting"}, "data": {"time_series_traits": ["external_drivers"]}, "decisions": BQ}])
R("bqml_model", "bqml_model.external-drivers-xreg",
  "Series driven by known covariates are forecast with ARIMA_PLUS_XREG", "1.1",
  ["https://cloud.google.com/bigquery/docs/reference/standard-sql/bigqueryml-syntax-create-multivariate-time-series"],
  {"problem.task": "forecasting", "data.time_series_traits": {"contains": "external_drivers"}}, P("bqml_model", "arima_plus_xreg", 7),
  "External drivers shape the series ({data.time_series_traits}); ARIMA_PLUS_XREG adds those covariates as "
  "regressors to the time-series model.",
  [{"problem": {"task": "forecasting"}, "data": {"time_series_traits": ["external_drivers"]}, "decisions": BQ}],
  [{"problem": {"task": "forecasting"}, "data": {"time_series_traits": ["seasonality"]}, "decisions": BQ}])
R("bqml_model", "bqml_model.cold-start-avoids-matrix-factorization",
  "Matrix factorization cannot recommend for users or items with no interactions", "1.1", [MF],
  {"data.cold_start": {"in": ["new_items", "new_users", "both"]}},
  {"dimension": "bqml_model", "avoid": ["matrix_factorization"], "weight": 7},
  "Recommendations must cover entities with no history ({data.cold_start}). Matrix factorization learns one factor "
  "vector per user and item from the interaction matrix (collaborative filtering); an entity absent from training has none.",
  [{"data": {"cold_start": "new_items"}, "decisions": BQ}],
  [{"data": {"cold_start": "none"}, "decisions": BQ}],
  notes="Design open question 3: no Google page states the cold-start limit in these words; it follows from how the "
        "page describes matrix factorization. Kept as avoid, not forbid.")
R("bqml_model", "bqml_model.cold-start-attribute-classifier",
  "Recommendations for new items score them from their attributes with a classifier", "1.1",
  ["https://cloud.google.com/bigquery/docs/e2e-journey", MF],
  {"problem.task": "recommendation", "data.cold_start": {"in": ["new_items", "new_users", "both"]}},
  P("bqml_model", "boosted_tree_classifier", 5),
  "New entities have no interactions ({data.cold_start}) but do have attributes: a classifier trained on user and "
  "item features (will this user interact with this item?) scores them from the first day.",
  [{"problem": {"task": "recommendation"}, "data": {"cold_start": "new_items"}, "decisions": BQ}],
  [{"problem": {"task": "recommendation"}, "data": {"cold_start": "none"}, "decisions": BQ}])

# ------------------------------------------------------------------ data / model validation, trigger, orchestration
VP = {"orchestration": "vertex_ai_pipelines"}
R("data_validation", "data_validation.quality-risk-validate",
  "Data that may break upstream is validated in the pipeline before training", "5.1", [MLOPS, EXVAL],
  {"data.quality_risk": True}, P("data_validation", "tfdv_example_validator", 7),
  "Upstream data can change schema or arrive broken ({data.quality_risk}). A data validation step compares new data "
  "with the expected schema and statistics and stops the pipeline on anomalies, before a bad model is trained.",
  [{"data": {"quality_risk": True}, "decisions": VP}],
  [{"data": {"quality_risk": False}, "decisions": VP}])
R("data_validation", "data_validation.automated-retraining-validate",
  "Automated retraining validates its input data", "5.1", [MLOPS],
  {"operations.retraining": {"in": ["periodic", "continuous"]}}, P("data_validation", "tfdv_example_validator", 2),
  "The pipeline retrains without a person in the loop ({operations.retraining}); an automated pipeline needs a data "
  "validation step to decide whether to retrain or stop.",
  [{"operations": {"retraining": "periodic"}, "decisions": VP}],
  [{"operations": {"retraining": "none"}, "decisions": VP}])
R("data_validation", "data_validation.default-none",
  "Without a stated need the pipeline has no data check", "5.1", [MLOPS], "always",
  P("data_validation", "none", 1),
  "Nothing stated about upstream data quality or automated retraining.", [{"decisions": VP}], default=True)
R("model_validation", "model_validation.deploy-only-if-better-gate",
  "A retrained model is deployed only if its evaluation passes a condition", "5.1", [EVAL, MLOPS],
  {"operations.deploy_only_if_better": True}, P("model_validation", "evaluation_with_condition", 8),
  "A retrained model may replace the serving one only if it is better ({operations.deploy_only_if_better}). Evaluate "
  "it in the pipeline and gate the deployment step on the metric with a condition.",
  [{"operations": {"deploy_only_if_better": True}, "decisions": VP}],
  [{"operations": {"deploy_only_if_better": False}, "decisions": VP}])
R("model_validation", "model_validation.tfx-evaluator",
  "TFX pipelines gate deployment with the Evaluator's blessing", "5.1", [MLOPS, "https://www.tensorflow.org/tfx/guide/evaluator"],
  {"operations.deploy_only_if_better": True, "decision.pipeline_sdk": "tfx"}, P("model_validation", "tfx_evaluator_blessing", 9),
  "The pipeline is written in TFX ({decision.pipeline_sdk}) and deploys only better models "
  "({operations.deploy_only_if_better}); the TFX Evaluator compares the candidate with the baseline and blesses it, "
  "and the Pusher deploys only blessed models.",
  [{"operations": {"deploy_only_if_better": True}, "decisions": {**VP, "pipeline_sdk": "tfx"}}],
  [{"operations": {"deploy_only_if_better": True}, "decisions": {**VP, "pipeline_sdk": "kfp"}}])
R("model_validation", "model_validation.default-none",
  "Without a stated need the trained model is deployed as it is", "5.1", [MLOPS], "always",
  P("model_validation", "none", 1),
  "Nothing stated requires the new model to beat the serving one.", [{"decisions": VP}], default=True)
R("pipeline_trigger", "pipeline_trigger.new-files-storage-event",
  "New files in Cloud Storage start the pipeline through an event", "5.1", [RUNFN],
  {"operations.retraining_trigger_event": "new_files"}, P("pipeline_trigger", "storage_event", 8),
  "A run must start when new files land ({operations.retraining_trigger_event}); a Cloud Run function triggered by "
  "the Cloud Storage event submits the training pipeline.",
  [{"operations": {"retraining_trigger_event": "new_files"}, "decisions": VP}],
  [{"operations": {"retraining_trigger_event": "schedule"}, "decisions": VP}])
R("pipeline_trigger", "pipeline_trigger.message-pubsub",
  "A message from another system starts the pipeline through Pub/Sub", "5.1", [PUBSUB],
  {"operations.retraining_trigger_event": "message"}, P("pipeline_trigger", "pubsub_event", 8),
  "Another system announces when to run ({operations.retraining_trigger_event}); a Cloud Run function subscribed to "
  "the Pub/Sub topic submits the compiled pipeline.",
  [{"operations": {"retraining_trigger_event": "message"}, "decisions": VP}],
  [{"operations": {"retraining_trigger_event": "schedule"}, "decisions": VP}])
R("pipeline_trigger", "pipeline_trigger.schedule-vertex-scheduler",
  "A calendar schedule for Vertex AI Pipelines uses the pipelines scheduler API", "5.1", [SCHED],
  {"operations.retraining_trigger_event": "schedule", "decision.orchestration": "vertex_ai_pipelines"},
  P("pipeline_trigger", "pipeline_schedule", 6),
  "Runs follow a calendar ({operations.retraining_trigger_event}); the Vertex AI Pipelines scheduler API creates "
  "runs from a cron expression, with nothing else to deploy.",
  [{"operations": {"retraining_trigger_event": "schedule"}, "decisions": VP}],
  [{"operations": {"retraining_trigger_event": "schedule"}, "decisions": {"orchestration": "kubeflow_on_gke"}}])
R("pipeline_trigger", "pipeline_trigger.code-change-ci",
  "Code pushes start the pipeline through a CI build", "5.2", [MLOPS],
  {"operations.retraining_trigger_event": "code_change"}, P("pipeline_trigger", "ci_cd_build", 7),
  "A run must start when code changes ({operations.retraining_trigger_event}); a build trigger on the repository "
  "tests, compiles and submits the pipeline.",
  [{"operations": {"retraining_trigger_event": "code_change"}, "decisions": VP}],
  [{"operations": {"retraining_trigger_event": "new_files"}, "decisions": VP}])
R("pipeline_trigger", "pipeline_trigger.event-not-schedule",
  "Event-driven runs are not started by a schedule or by hand", "5.1", [RUNFN],
  {"operations.retraining_trigger_event": {"in": ["new_files", "message"]}},
  {"dimension": "pipeline_trigger", "avoid": ["pipeline_schedule", "cloud_scheduler", "manual"], "weight": 4},
  "Runs depend on an event ({operations.retraining_trigger_event}); a schedule either runs with nothing new or "
  "waits after the event.",
  [{"operations": {"retraining_trigger_event": "message"}, "decisions": VP}],
  [{"operations": {"retraining_trigger_event": "schedule"}, "decisions": VP}])
R("pipeline_trigger", "pipeline_trigger.default-manual",
  "Without a stated trigger a person starts the pipeline", "5.1", [SCHED], "always",
  P("pipeline_trigger", "manual", 1),
  "Nothing stated about what starts a run.", [{"decisions": VP}], default=True)
R("orchestration_migration", "orchestration.on-prem-kubeflow-to-vertex",
  "Kubeflow pipelines moving to Google Cloud with little change run on Vertex AI Pipelines", "5.1", [MIGRATE, INTERFACES],
  {"team.existing_tools": {"contains": "kubeflow_on_prem"}, "operations.minimal_code_change": True,
   "not": {"operations.hybrid_cloud": True}},
  P("orchestration", "vertex_ai_pipelines", 7),
  "Kubeflow Pipelines already run outside Google Cloud ({team.existing_tools}) and must move with little change "
  "({operations.minimal_code_change}); Vertex AI Pipelines runs pipelines written with the Kubeflow Pipelines SDK, "
  "serverless, with no cluster to operate.",
  [{"team": {"existing_tools": ["kubeflow_on_prem"]}, "operations": {"minimal_code_change": True}}],
  [{"team": {"existing_tools": ["kubeflow_on_prem"]}, "operations": {"minimal_code_change": True, "hybrid_cloud": True}}])
R("orchestration_migration", "orchestration.tools-stay-on-prem-kubeflow",
  "Pipelines that must keep running on premises stay on Kubeflow", "5.1", [INTERFACES],
  {"team.existing_tools_location": "on_prem", "team.existing_tools": {"contains": "kubeflow_on_prem"},
   "operations.hybrid_cloud": True},
  P("orchestration", "kubeflow_on_gke", 5),
  "The Kubeflow pipelines run {team.existing_tools_location} and must keep running there ({operations.hybrid_cloud}); "
  "Kubeflow on GKE (or GKE Enterprise on premises) runs the same pipelines in both places.",
  [{"team": {"existing_tools": ["kubeflow_on_prem"], "existing_tools_location": "on_prem"}, "operations": {"hybrid_cloud": True}}],
  [{"team": {"existing_tools": ["kubeflow_on_prem"], "existing_tools_location": "on_prem"}, "operations": {"hybrid_cloud": False}}])
R("framework", "framework.minimal-change-keep-existing",
  "Existing scikit-learn or Spark MLlib code that must move with little change keeps its framework", "3.1", [PREBUILT],
  {"operations.minimal_code_change": True, "team.existing_tools": {"contains_any": ["scikit_learn", "spark_mllib"]}},
  {"dimension": "framework", "avoid": ["tensorflow", "pytorch", "jax"], "weight": 6},
  "The existing code ({team.existing_tools}) must move with little change ({operations.minimal_code_change}); Vertex "
  "AI has prebuilt containers for scikit-learn, so rewriting it in a deep-learning framework is the opposite of a "
  "small change.",
  [{"operations": {"minimal_code_change": True}, "team": {"existing_tools": ["scikit_learn"]}, "decisions": CT}],
  [{"operations": {"minimal_code_change": False}, "team": {"existing_tools": ["scikit_learn"]}, "decisions": CT}])

# ------------------------------------------------------------------ quantization / optimisation
EDGED = {"approach": "custom_training", "serving_mode": "edge"}
R("quantization_scheme", "quantization_scheme.edge-tpu-full-integer",
  "The Edge TPU runs only fully integer-quantized models", "4.2", [EDGE, PTQ, "https://coral.ai/docs/edgetpu/models-intro"],
  {"serving.device_hardware": "coral_edge_tpu"}, {"dimension": "quantization_scheme", "require": "full_integer"},
  "The model runs on a Coral Edge TPU ({serving.device_hardware}), which executes only models whose weights and "
  "activations are 8-bit integers: full integer quantization with a representative dataset.",
  [{"serving": {"device_hardware": "coral_edge_tpu"}, "decisions": {**EDGED, "model_optimization": "quantization"}}],
  [{"serving": {"device_hardware": "mobile_phone"}, "decisions": {**EDGED, "model_optimization": "quantization"}}])
R("quantization_scheme", "quantization_scheme.default-dynamic-range",
  "Post-training quantization starts with dynamic-range quantization", "4.2", [EDGE, PTQ], "always",
  P("quantization_scheme", "dynamic_range", 1),
  "Nothing stated about the device's accelerator; dynamic-range quantization needs no calibration data and is the "
  "simplest post-training quantization.",
  [{"decisions": {**EDGED, "model_optimization": "quantization"}}], default=True)
R("model_optimization", "model_optimization.tight-accuracy-budget-qat",
  "An accuracy budget below a point calls for quantization-aware training", "4.2", [EDGE, QAT, PTQ],
  {"serving.max_accuracy_loss_pct": {"lt": 1}, "decision.serving_mode": "edge", "model.framework": {"in": ["tensorflow", "keras"]}},
  P("model_optimization", "quantization_aware_training", 7),
  "The optimised model may lose at most {serving.max_accuracy_loss_pct} points of accuracy. Post-training "
  "quantization can cost more than that; quantization-aware training simulates quantization during training so "
  "the 8-bit model keeps nearly all of its accuracy.",
  [{"serving": {"max_accuracy_loss_pct": 0.5}, "model": {"framework": "tensorflow"}, "decisions": EDGED}],
  [{"serving": {"max_accuracy_loss_pct": 3}, "model": {"framework": "tensorflow"}, "decisions": EDGED}])
R("model_optimization", "model_optimization.tight-accuracy-budget-avoid-ptq",
  "Post-training quantization may cost more accuracy than a tight budget allows", "4.2", [QAT, PTQ, EDGE],
  {"serving.max_accuracy_loss_pct": {"lt": 1}}, {"dimension": "model_optimization", "avoid": ["quantization"], "weight": 5},
  "The optimised model may lose at most {serving.max_accuracy_loss_pct} points of accuracy; post-training "
  "quantization trades some accuracy for size and speed with no retraining to recover it.",
  [{"serving": {"max_accuracy_loss_pct": 0.5}, "decisions": EDGED}],
  [{"serving": {"max_accuracy_loss_pct": 3}, "decisions": EDGED}])
R("model_optimization", "model_optimization.device-memory-shrink",
  "A model that must fit a small device memory is quantized", "4.2", [EDGE, PTQ],
  {"serving.device_memory_mb": {"lt": 200}, "decision.serving_mode": "edge"},
  P("model_optimization", "quantization", 3),
  "The device leaves {serving.device_memory_mb} MB for the model; 8-bit quantization makes a model about four times "
  "smaller.",
  [{"serving": {"device_memory_mb": 50}, "decisions": EDGED}],
  [{"serving": {"device_memory_mb": 4000}, "decisions": EDGED}])

# ------------------------------------------------------------------ explainability, feature store, notebooks
R("explainability_examples", "explainability.similar-examples-example-based",
  "Explanations by similar cases are example-based explanations", "6.1", [EXAMPLES],
  {"problem.explanation_form": "similar_examples", "decision.approach": "custom_training"},
  P("explainability", "example_based", 8),
  "Users need to see the training examples most like the input ({problem.explanation_form}); example-based "
  "explanations return nearest neighbours from the training data, which feature attributions do not.",
  [{"problem": {"explanation_form": "similar_examples"}, "decisions": {"approach": "custom_training"}}],
  [{"problem": {"explanation_form": "feature_attributions"}, "decisions": {"approach": "custom_training"}}])
R("explainability_examples", "explainability.similar-examples-not-attributions",
  "Feature attributions do not answer a request for similar cases", "6.1", [EXAMPLES],
  {"problem.explanation_form": "similar_examples"},
  {"dimension": "explainability", "avoid": ["sampled_shapley", "integrated_gradients", "xrai"], "weight": 5},
  "Users asked for similar cases ({problem.explanation_form}); attribution methods say which inputs mattered, not "
  "which known cases resemble this one.",
  [{"problem": {"explanation_form": "similar_examples"}, "decisions": {"approach": "custom_training"}}],
  [{"problem": {"explanation_form": "feature_attributions"}, "decisions": {"approach": "custom_training"}}])
R("feature_store_bigtable", "feature_store.large-or-streaming-bigtable",
  "Large or continuously updated shared features served online use Bigtable online serving", ["2.1", "4.2"], [FSTYPES],
  {"data.features_shared": True, "decision.serving_mode": "online",
   "any": [{"data.streaming": True}, {"data.size_gb": {"gte": 1000}}]},
  P("feature_store", "vertex_feature_store_bigtable", 7),
  "Shared features ({data.features_shared}) are served online and {matched_facts}. Bigtable online serving handles "
  "terabytes of feature data with scheduled or continuous sync from BigQuery; Optimized online serving is deprecated.",
  [{"data": {"features_shared": True, "streaming": True}, "decisions": {"approach": "custom_training", "serving_mode": "online"}}],
  [{"data": {"features_shared": True, "streaming": True}, "decisions": {"approach": "custom_training", "serving_mode": "batch"}}])
NB = {"approach": "custom_training", "notebook": "vertex_workbench"}
R("notebook_security", "notebook_security.sensitive-hardened",
  "Notebooks on sensitive data are hardened", "2.2", [VPCSC, "https://cloud.google.com/vertex-ai/docs/workbench/instances/introduction"],
  {"any": [{"constraints.notebook_hardening_required": True}, {"data.sensitive": {"contains_any": ["pii", "phi", "financial"]}}]},
  P("notebook_security", "hardened", 6),
  "The scenario states {matched_facts}: create the instance without a public IP, with a least-privilege service "
  "account and CMEK, inside the VPC Service Controls perimeter.",
  [{"constraints": {"notebook_hardening_required": True}, "decisions": NB}],
  [{"data": {"sensitive": ["none"]}, "decisions": NB}])
R("notebook_security", "notebook_security.default",
  "Notebooks keep the default configuration", "2.2", ["https://cloud.google.com/vertex-ai/docs/workbench/instances/introduction"], "always",
  P("notebook_security", "default", 1), "Nothing stated about sensitive data or hardening.", [{"decisions": NB}], default=True)
R("notebook_source_control", "notebook_source_control.team-or-ci-git",
  "Notebook code that a team shares or changes often is kept in Git", "2.2", [BESTP, "https://cloud.google.com/vertex-ai/docs/workbench/instances/introduction"],
  {"any": [{"team.existing_tools": {"contains": "git"}}, {"operations.code_changes_frequent": True}]},
  P("notebook_source_control", "git_repository", 5),
  "The scenario states {matched_facts}: commit notebooks and code to a Git repository (JupyterLab has Git "
  "integration), so changes are reviewed and reach CI.",
  [{"team": {"existing_tools": ["git"]}, "decisions": NB}],
  [{"team": {"existing_tools": ["jenkins"]}, "decisions": NB}])
R("notebook_source_control", "notebook_source_control.default-none",
  "Notebooks live on the instance", "2.2", ["https://cloud.google.com/vertex-ai/docs/workbench/instances/introduction"], "always",
  P("notebook_source_control", "none", 1), "Nothing stated about shared code or frequent changes.",
  [{"decisions": NB}], default=True)


HEAD = {
    "endpoint_settings": "Endpoint settings (issue 13): whether a stated symptom or need makes the endpoint's settings a decision.",
}
for name, rules in FILES.items():
    dims = sorted({r["id"].split(".")[0] for r in rules})
    head = (f"# Issue 13 rules for {', '.join(dims)}: decisions that real questions turn on.\n"
            "# Generated once from the issue-13 design; edit by hand from now on.\n")
    text = head + yaml.safe_dump({"rules": rules}, sort_keys=False, width=110, allow_unicode=True)
    open(OUT + name + ".yaml", "w").write(text)
print(len(FILES), "files", sum(len(v) for v in FILES.values()), "rules")
