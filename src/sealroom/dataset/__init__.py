"""Datasets: folders of Parquet shards with a manifest and completion markers."""

from sealroom.dataset.manifest import Manifest, ShardInfo
from sealroom.dataset.reader import Dataset
from sealroom.dataset.validate import validate_dataset
from sealroom.dataset.writer import MAIN, TaskWriter

__all__ = ["MAIN", "Dataset", "Manifest", "ShardInfo", "TaskWriter", "validate_dataset"]
