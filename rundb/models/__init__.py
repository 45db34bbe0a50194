"""All rundb models, split by domain; import from here."""
from .catalog import (  # noqa: F401
    ApplicationGroup,
    Chip,
    FlowOrder,
    KitInfo,
    KitPart,
    LibraryKey,
    ReferenceGenome,
    RunType,
    Template,
    ThreePrimeAdapter,
    dnaBarcode,
)
from .experiment import Experiment, ExperimentAnalysisSettings  # noqa: F401
from .jobs import AnalysisJob, GridJob, JobState, advance_job_state  # noqa: F401
from .metrics import AnalysisMetrics, LibMetrics, QualityMetrics, TFMetrics  # noqa: F401
from .plan import PlannedExperiment, PlannedExperimentQC, PlanningSession, QCType, new_plan_short_id  # noqa: F401
from .plugin import Plugin, PluginResult, PluginResultJob, hash_plugin_key, new_api_key, plugin_key_matches  # noqa: F401
from .results import Results  # noqa: F401
from .sample import Project, Sample, SampleGroupType_CV, SampleSet, SampleSetItem  # noqa: F401
from .site import (  # noqa: F401
    Content,
    ContentUpload,
    EventLog,
    FileServer,
    GlobalConfig,
    Location,
    Message,
    Publisher,
    ReportStorage,
    Rig,
)
from .users import UserProfile  # noqa: F401
from .defaults import (  # noqa: F401
    AnalysisArgs,
    ApplProduct,
    Common_CV,
    SampleAnnotation_CV,
    SampleAttribute,
    SampleAttributeDataType,
    SamplePrepData,
)
from .ops import EmailAddress, FileMonitor, IonMeshNode, MonitorData, SupportUpload, UserEventLog  # noqa: F401
