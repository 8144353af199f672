from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.learning_job_stage import LearningJobStage, check_learning_job_stage
from ..models.learning_job_state import LearningJobState, check_learning_job_state

if TYPE_CHECKING:
    from ..models.learning_job_seconds import LearningJobSeconds
    from ..models.model_check import ModelCheck


T = TypeVar("T", bound="LearningJob")


@_attrs_define
class LearningJob:
    """A training and re-link job: running, or the last one.

    Attributes:
        id (int):
        reason (str):
        train (bool): False: a re-link with the active model
        force (bool):
        requested_by (None | str):
        state (LearningJobState):
        stage (LearningJobStage):
        done (int): Units of the stage done (relinking: pieces of the plan)
        total (int):
        started_at (datetime.datetime):
        finished_at (datetime.datetime | None):
        records (int): Person-level records in the snapshot
        caught_up (int): Records changed during the job, added before the swap
        model_version (None | str):
        pairs_scored (int):
        check (ModelCheck | None):
        pieces (int):
        merges (int):
        splits (int):
        moved_records (int):
        review_superseded (int):
        review_queued (int):
        seconds (LearningJobSeconds): Seconds per stage
        error (None | str):
    """

    id: int
    reason: str
    train: bool
    force: bool
    requested_by: None | str
    state: LearningJobState
    stage: LearningJobStage
    done: int
    total: int
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    records: int
    caught_up: int
    model_version: None | str
    pairs_scored: int
    check: ModelCheck | None
    pieces: int
    merges: int
    splits: int
    moved_records: int
    review_superseded: int
    review_queued: int
    seconds: LearningJobSeconds
    error: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.model_check import ModelCheck

        id = self.id

        reason = self.reason

        train = self.train

        force = self.force

        requested_by: None | str
        requested_by = self.requested_by

        state: str = self.state

        stage: str = self.stage

        done = self.done

        total = self.total

        started_at = self.started_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        records = self.records

        caught_up = self.caught_up

        model_version: None | str
        model_version = self.model_version

        pairs_scored = self.pairs_scored

        check: dict[str, Any] | None
        if isinstance(self.check, ModelCheck):
            check = self.check.to_dict()
        else:
            check = self.check

        pieces = self.pieces

        merges = self.merges

        splits = self.splits

        moved_records = self.moved_records

        review_superseded = self.review_superseded

        review_queued = self.review_queued

        seconds = self.seconds.to_dict()

        error: None | str
        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "reason": reason,
                "train": train,
                "force": force,
                "requested_by": requested_by,
                "state": state,
                "stage": stage,
                "done": done,
                "total": total,
                "started_at": started_at,
                "finished_at": finished_at,
                "records": records,
                "caught_up": caught_up,
                "model_version": model_version,
                "pairs_scored": pairs_scored,
                "check": check,
                "pieces": pieces,
                "merges": merges,
                "splits": splits,
                "moved_records": moved_records,
                "review_superseded": review_superseded,
                "review_queued": review_queued,
                "seconds": seconds,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.learning_job_seconds import LearningJobSeconds
        from ..models.model_check import ModelCheck

        d = dict(src_dict)
        id = d.pop("id")

        reason = d.pop("reason")

        train = d.pop("train")

        force = d.pop("force")

        def _parse_requested_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        requested_by = _parse_requested_by(d.pop("requested_by"))

        state = check_learning_job_state(d.pop("state"))

        stage = check_learning_job_stage(d.pop("stage"))

        done = d.pop("done")

        total = d.pop("total")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        records = d.pop("records")

        caught_up = d.pop("caught_up")

        def _parse_model_version(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model_version = _parse_model_version(d.pop("model_version"))

        pairs_scored = d.pop("pairs_scored")

        def _parse_check(data: object) -> ModelCheck | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                check_type_0 = ModelCheck.from_dict(data)

                return check_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelCheck | None, data)

        check = _parse_check(d.pop("check"))

        pieces = d.pop("pieces")

        merges = d.pop("merges")

        splits = d.pop("splits")

        moved_records = d.pop("moved_records")

        review_superseded = d.pop("review_superseded")

        review_queued = d.pop("review_queued")

        seconds = LearningJobSeconds.from_dict(d.pop("seconds"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        learning_job = cls(
            id=id,
            reason=reason,
            train=train,
            force=force,
            requested_by=requested_by,
            state=state,
            stage=stage,
            done=done,
            total=total,
            started_at=started_at,
            finished_at=finished_at,
            records=records,
            caught_up=caught_up,
            model_version=model_version,
            pairs_scored=pairs_scored,
            check=check,
            pieces=pieces,
            merges=merges,
            splits=splits,
            moved_records=moved_records,
            review_superseded=review_superseded,
            review_queued=review_queued,
            seconds=seconds,
            error=error,
        )

        learning_job.additional_properties = d
        return learning_job

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
