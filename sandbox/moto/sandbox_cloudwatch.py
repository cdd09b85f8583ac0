"""CloudWatch in the sandbox's moto 5.2, as strict as AWS where the canary analysis reads it.

moto's CloudWatch answers no percentile, takes any period, matches a GetMetricData metric by
its dimensions whatever its namespace (and a metric without dimensions to every metric of that
name), and creates alarms in state OK. Fixed here:

- GetMetricData: a MetricStat `Stat` of `pNN` / `pNN.NN` is answered over the single values of
  the period, by nearest rank (CloudWatch needs the raw values: a statistic set gives no
  percentile unless its Minimum equals its Maximum, and a negative value gives none; Amazon
  CloudWatch API Reference, GetMetricStatistics). A statistic the sandbox does not compute
  (trimmed means, …) is refused by name rather than answered wrongly.
- GetMetricData and GetMetricStatistics refuse a period CloudWatch refuses: 1, 5, 10, 20, 30
  or a multiple of 60 (Amazon CloudWatch API Reference, MetricStat: "the period can be 1, 5,
  10, 20, 30, 60, or any multiple of 60" for high-resolution metrics; the sandbox's ALB
  metrics are stored with a StorageResolution of 1 second;
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html).
- A metric is its namespace, its name and its exact set of dimensions (CloudWatch concepts,
  "Dimensions": a unique combination of dimensions is a separate metric): GetMetricData and
  GetMetricStatistics return only that metric's data.
- GetMetricStatistics answers `ExtendedStatistics` (percentiles), which moto ignores.
- PutMetricAlarm: a new alarm starts in INSUFFICIENT_DATA, and updating one keeps its state
  (Amazon CloudWatch API Reference, PutMetricAlarm: "When this operation creates an alarm,
  the alarm state is immediately set to INSUFFICIENT_DATA"; "When you update an existing
  alarm, its state is left unchanged"). moto never evaluates alarms: SetAlarmState moves them.
"""

import math
import re
from datetime import timedelta

from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
from moto.cloudwatch.metric_data_expression_parser import parse_expression
from moto.cloudwatch.models import CloudWatchBackend, MetricAggregatedDatum, MetricDatum, Statistics
from moto.cloudwatch.responses import CloudWatchResponse

STATISTICS = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
PERCENTILE = re.compile(r"^p(\d{1,3}(?:\.\d{1,2})?)$")


def valid_period(period: int) -> bool:
    return period in (1, 5, 10, 20, 30) or (period > 0 and period % 60 == 0)


def percentile_of(stat: str) -> float | None:
    match = PERCENTILE.match(stat)
    if not match or float(match.group(1)) > 100:
        return None
    return float(match.group(1))


def percentile(data, p: float) -> float | None:  # type: ignore[no-untyped-def]
    """Nearest rank over the raw values: the smallest value with at least p % of them at or below it."""
    values: list[float] = []
    for datum in data:
        if isinstance(datum, MetricDatum):
            values.append(datum.value)
        elif isinstance(datum, MetricAggregatedDatum):
            if datum.min != datum.max and datum.sample_count != 1:
                return None
            values.extend([datum.min] * int(datum.sample_count))
    if not values or min(values) < 0:
        return None
    values.sort()
    rank = max(1, math.ceil(p / 100 * len(values)))
    return values[rank - 1]


def statistic(data, stat: str, timestamp):  # type: ignore[no-untyped-def]
    p = percentile_of(stat)
    if p is not None:
        return percentile(data, p)
    stats = Statistics([stat], timestamp)
    stats.metric_data = data
    return stats.get_statistics_for_type(stat)


def _dimension_key(dimensions) -> list:  # type: ignore[no-untyped-def]
    return sorted((d.name, d.value) for d in dimensions)


def _same_metric(datum, namespace: str, name: str, dimensions: list) -> bool:  # type: ignore[no-untyped-def]
    return datum.namespace == namespace and datum.name == name and _dimension_key(datum.dimensions) == dimensions


def _check_stat_query(query, index: int) -> None:  # type: ignore[no-untyped-def]
    metric_stat = query["MetricStat"]
    period = int(metric_stat.get("Period") or 0)
    if not valid_period(period):
        raise ValidationError(
            f"The parameter MetricDataQueries.member.{index}.MetricStat.Period must be 1, 5, 10, 20, 30 "
            f"or a multiple of 60, not {period}."
        )
    stat = metric_stat.get("Stat", "")
    if stat not in STATISTICS and percentile_of(stat) is None:
        raise InvalidParameterValue(
            f"The sandbox's CloudWatch answers SampleCount, Average, Sum, Minimum, Maximum and pNN.NN, not {stat}."
        )


def _stat_result(query, data, start, scan_by: str) -> dict:  # type: ignore[no-untyped-def]
    metric_stat = query["MetricStat"]
    metric = metric_stat["Metric"]
    dimensions = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    unit = metric_stat.get("Unit")
    period = int(metric_stat["Period"])
    stat = metric_stat["Stat"]
    periods: dict[int, list] = {}
    for datum in data:
        if _same_metric(datum, metric["Namespace"], metric["MetricName"], dimensions) and (
            not unit or datum.unit == unit
        ):
            index = int((datum.timestamp - start).total_seconds() // period)
            periods.setdefault(index, []).append(datum)
    values, timestamps = [], []
    for index in sorted(periods, reverse=scan_by == "TimestampDescending"):
        timestamp = start + timedelta(seconds=index * period)
        value = statistic(periods[index], stat, timestamp)
        if value is not None:
            values.append(value)
            timestamps.append(timestamp)
    label = query.get("Label") or f"{metric['MetricName']} {stat}"
    return {"id": query["Id"], "label": label, "values": values, "timestamps": timestamps, "status_code": "Complete"}


def patch_cloudwatch() -> None:
    original_get_metric_data = CloudWatchBackend.get_metric_data
    original_get_metric_statistics = CloudWatchBackend.get_metric_statistics
    original_put_metric_alarm = CloudWatchBackend.put_metric_alarm
    original_statistics_response = CloudWatchResponse.get_metric_statistics

    def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):  # type: ignore[no-untyped-def]
        stat_queries = [q for q in queries if "MetricStat" in q]
        for index, query in enumerate(queries, start=1):
            if "MetricStat" in query:
                _check_stat_query(query, index)
        insights = [q for q in queries if q.get("Expression", "").startswith("SELECT")]
        # moto checks the times (and runs the Metrics Insights queries) as before.
        inherited = original_get_metric_data(self, insights, start_time, end_time, scan_by)
        start, end = start_time.replace(microsecond=0), end_time.replace(microsecond=0)
        data = [d for d in self.get_all_metrics() if start <= d.timestamp < end]
        results = [_stat_result(q, data, start, scan_by) for q in stat_queries]
        returned = [r for q, r in zip(stat_queries, results) if q.get("ReturnData", True)]
        for query in queries:
            if "Expression" in query and not query["Expression"].startswith("SELECT"):
                values, timestamps = parse_expression(query["Expression"], results)
                label = query.get("Label") or query["Id"]
                returned.append(
                    {"id": query["Id"], "label": label, "values": values, "timestamps": timestamps, "status_code": "Complete"}
                )
        return returned + inherited

    def get_metric_statistics(self, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit=None):  # type: ignore[no-untyped-def]
        if not valid_period(int(period or 0)):
            raise InvalidParameterValue(f"The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60, not {period}.")
        found = original_get_metric_statistics(
            self, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit
        )
        wanted = sorted((d["Name"], d["Value"]) for d in dimensions or [])
        kept = []
        for point in found:
            point.metric_data = [d for d in point.metric_data if _dimension_key(d.dimensions) == wanted]
            if point.metric_data:
                kept.append(point)
        return kept

    def statistics_response(self):  # type: ignore[no-untyped-def]
        result = original_statistics_response(self)
        extended = self._get_param("ExtendedStatistics") or []
        for name in extended:
            if percentile_of(name) is None:
                raise InvalidParameterValue(f"The value {name} for parameter ExtendedStatistics is not supported.")
        for point in result.result["Datapoints"] if extended else []:
            point.extended_statistics = {
                name: value
                for name in extended
                if (value := percentile(point.metric_data, percentile_of(name) or 0)) is not None
            }
        return result

    def put_metric_alarm(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        existing = self.alarms.get(name)
        alarm = original_put_metric_alarm(self, name, *args, **kwargs)
        if existing is None:
            alarm.state_value = "INSUFFICIENT_DATA"
        else:
            alarm.state_value, alarm.state_reason = existing.state_value, existing.state_reason
            alarm.state_reason_data, alarm.history = existing.state_reason_data, existing.history
            alarm.state_updated_timestamp = existing.state_updated_timestamp
        return alarm

    CloudWatchBackend.get_metric_data = get_metric_data
    CloudWatchBackend.get_metric_statistics = get_metric_statistics
    CloudWatchBackend.put_metric_alarm = put_metric_alarm
    CloudWatchResponse.get_metric_statistics = statistics_response
