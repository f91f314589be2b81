"""ServerPool: FCFS, identities, shift changes, reneging, and its time-weighted counters."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from checkoutsim.model.resources import ServerPool, TimeWeighted


def _pool(env: simpy.Environment, servers: int, on_duty: int, keep_one: bool) -> ServerPool:
    return ServerPool(
        env,
        servers,
        on_duty,
        keep_one_while_queued=keep_one,
        queue_level=TimeWeighted(env),
        busy_level=TimeWeighted(env),
        duty_level=TimeWeighted(env),
    )


def _customer(
    env: simpy.Environment,
    pool: ServerPool,
    service: float,
    log: list[tuple[str, float, int]],
    name: str,
) -> Generator[simpy.Event, Any, None]:
    server = yield pool.request()
    log.append((name, env.now, server))
    yield env.timeout(service)
    pool.release(server)


def test_fcfs_order_and_identities() -> None:
    env = simpy.Environment()
    pool = _pool(env, 2, 2, keep_one=False)
    log: list[tuple[str, float, int]] = []
    for name in "abcd":
        env.process(_customer(env, pool, 10.0, log, name))
    env.run()
    assert [entry[:2] for entry in log] == [("a", 0), ("b", 0), ("c", 10), ("d", 10)]
    # Two different servers at a time, and only the two that exist.
    assert log[0][2] != log[1][2] and log[2][2] != log[3][2]
    assert {entry[2] for entry in log} == {0, 1}
    assert pool.busy == 0 and pool.queue_length == 0


def test_time_weighted_integrals() -> None:
    env = simpy.Environment()
    pool = _pool(env, 1, 1, keep_one=False)
    log: list[tuple[str, float, int]] = []
    for name in "abc":
        env.process(_customer(env, pool, 4.0, log, name))
    env.run()
    # Busy for 12 minutes; queue of 2 for 4 minutes then 1 for 4 minutes = 12 customer-minutes.
    assert pool.busy_level.integral() == 12.0
    assert pool.queue_level.integral() == 12.0
    assert pool.duty_level.integral() == 12.0


def test_going_off_duty_finishes_the_customer_in_hand() -> None:
    env = simpy.Environment()
    pool = _pool(env, 1, 1, keep_one=False)
    log: list[tuple[str, float, int]] = []
    env.process(_customer(env, pool, 10.0, log, "a"))
    env.process(_customer(env, pool, 10.0, log, "b"))

    def shift() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(5)
        pool.set_target(0)  # a is finished at 10; b must wait for the next shift
        yield env.timeout(25)
        pool.set_target(1)

    env.process(shift())
    env.run()
    assert [entry[:2] for entry in log] == [("a", 0), ("b", 30)]


def test_closing_lane_serves_its_queue_first() -> None:
    env = simpy.Environment()
    pool = _pool(env, 1, 1, keep_one=True)
    log: list[tuple[str, float, int]] = []
    for name in "abc":
        env.process(_customer(env, pool, 10.0, log, name))

    def close() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1)
        pool.set_target(0)
        assert not pool.accepting

    env.process(close())
    env.run()
    assert [entry[:2] for entry in log] == [("a", 0), ("b", 10), ("c", 20)]
    assert pool.servers == 0  # the cashier left once the line was empty


def test_cancel_removes_a_waiting_request() -> None:
    env = simpy.Environment()
    pool = _pool(env, 1, 1, keep_one=False)
    first = pool.request()
    second = pool.request()
    assert first.triggered and not second.triggered
    pool.cancel(second)
    assert pool.queue_length == 0
    pool.release(first.value)
    assert pool.idle == 1 and not second.triggered


def test_more_staff_serves_the_waiting_line_at_once() -> None:
    env = simpy.Environment()
    pool = _pool(env, 3, 0, keep_one=False)
    requests = [pool.request() for _ in range(3)]
    assert not any(r.triggered for r in requests)
    pool.set_target(2)
    assert [r.triggered for r in requests] == [True, True, False]
    assert pool.queue_length == 1


def test_acquire_takes_an_idle_server_like_request_and_never_jumps_the_queue() -> None:
    env = simpy.Environment()
    pool = _pool(env, 2, 2, keep_one=False)
    busy = pool.busy_level
    assert {pool.acquire(), pool.acquire()} == {0, 1}  # two distinct servers
    assert pool.busy == 2 and busy.level == 2 and pool.idle == 0
    assert pool.acquire() is None  # nobody free: the caller must queue with request()
    waiting = pool.request()
    assert not waiting.triggered and pool.queue_length == 1
    pool.release(0)
    # The freed server goes to the one already waiting, not to a later acquire().
    assert waiting.triggered and waiting.value == 0
    assert pool.acquire() is None and busy.level == 2
    pool.release(1)
    assert pool.acquire() == 1 and pool.busy == 2 and busy.level == 2
