"""dxkg.pool: query worker processes forked from a zygote, on the real store, without HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator

import pyoxigraph as ox
import pytest

from dxkg.config import Settings
from dxkg.errors import BadQuery, NotAcceptable, QueryTimeout, ServerBusy, StoreUnavailable
from dxkg.pool import Job, Pool
from dxkg.sparql import QueryRequest
from dxkg.store import LoadedStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RANDOM = "SELECT (STRUUID() AS ?u) (RAND() AS ?r) WHERE {}"
# Three copies of every quad as SPARQL JSON: several MB, past what a worker keeps in memory.
LARGE = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?copy { 1 2 3 } }"


def job(query: str, mode: str = "data", limit: int = 10**6, **kwargs: object) -> Job:
    return Job(QueryRequest(query), mode, limit, **kwargs)  # type: ignore[arg-type]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `condition` until it holds or `timeout` passes; return whether it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def exists(pid: int) -> bool:
    """Return whether a process (zombies included) has this pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def running(pid: int) -> bool:
    """Return whether a process with this pid exists and is not a zombie (which uses no CPU)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def run_on_own_thread(scenario: Callable[[], Coroutine[object, object, None]]) -> None:
    """asyncio.run(scenario()) on a new thread: the main thread may already run an event loop (the
    browser tests' Playwright session does)."""
    import asyncio

    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def count_of(answer_body: bytes) -> int:
    return int(json.loads(answer_body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture()
def pool_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"query_workers": 2, "query_timeout_s": 2.0, "max_queries_in_flight": 0})


@pytest.fixture()
def pool(loaded: LoadedStore, pool_settings: Settings) -> Iterator[Pool]:
    pool = Pool.start(loaded.store, pool_settings)
    yield pool
    pool.close()


def test_pool_workers_are_children_of_the_zygote_and_share_the_store(pool: Pool, loaded: LoadedStore) -> None:
    pids = pool.pids()
    assert len(pids) == 2 and os.getpid() not in pids
    assert parent_of(pool.zygote_pid) == os.getpid()
    assert all(parent_of(pid) == pool.zygote_pid for pid in pids)
    for _ in pids:  # idle workers are taken in turn: each one answers
        assert count_of(pool.run(job(COUNT)).body or b"") == loaded.manifest.triples


def test_pool_workers_draw_their_own_random_numbers(loaded: LoadedStore, pool_settings: Settings) -> None:
    # This thread draws random numbers first. Workers forked from a copy of it would share its generator
    # and return the same STRUUID() and RAND() sequence; the zygote is forked from a fresh thread instead.
    list(ox.Store().query(RANDOM))
    pool = Pool.start(loaded.store, pool_settings)
    try:
        answers = [json.loads(pool.run(job(RANDOM)).body or b"")["results"]["bindings"][0] for _ in range(4)]
    finally:
        pool.close()
    assert len({a["u"]["value"] for a in answers}) == 4  # idle workers are taken in turn: both answered
    assert len({a["r"]["value"] for a in answers}) == 4


def test_pool_workers_hold_no_descriptor_of_the_server(loaded: LoadedStore, pool_settings: Settings) -> None:
    # A worker holding the server's listening socket or a client connection would keep it open after
    # the server closes it: clients would wait for an end that never comes.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        pool = Pool.start(loaded.store, pool_settings)
        try:
            listening = f"socket:[{os.fstat(listener.fileno()).st_ino}]"

            def descriptors(pid: int) -> list[str]:
                """What the process holds open besides stdio; inherited numbers are kept on /dev/null."""
                targets = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd") if int(fd) > 2]
                return [target for target in targets if target != os.devnull]

            # Just forked, a process may not have closed them yet: wait for each to settle.
            # The zygote: its control socket, its wake-up pipe and the socket of its spare worker.
            assert wait_until(lambda: len(descriptors(pool.zygote_pid)) == 4)
            for pid in pool.pids():
                assert wait_until(lambda pid=pid: len(descriptors(pid)) == 1)  # its socket
            for pid in [*pool.pids(), pool.zygote_pid]:
                assert listening not in descriptors(pid)
        finally:
            pool.close()


def test_pool_small_answer_in_memory_large_answer_as_a_file(pool: Pool, loaded: LoadedStore) -> None:
    small = pool.run(job(COUNT))
    assert small.file is None and small.fmt is not None and small.fmt.name == "json"
    large = pool.run(job(LARGE))
    assert large.body is None and large.file is not None and large.rows == 3 * loaded.manifest.triples
    with large.file as file:
        data = file.read()
    assert len(data) > 1 << 20
    assert sum(1 for _ in ox.parse_query_results(data, ox.QueryResultsFormat.JSON)) == 3 * loaded.manifest.triples


def test_pool_format_is_chosen_by_the_worker_once_the_kind_is_known(pool: Pool) -> None:
    csv = pool.run(job(COUNT, accept="text/csv"))
    assert csv.fmt is not None and csv.fmt.name == "csv" and csv.body is not None
    graph = pool.run(job("CONSTRUCT { ?s a ?t } WHERE { GRAPH ?g { ?s a ?t } } LIMIT 3", accept="text/csv;q=0.5, text/turtle"))
    assert graph.kind == "graph" and graph.fmt is not None and graph.fmt.name == "ttl"
    with pytest.raises(NotAcceptable):
        pool.run(job(COUNT, accept="text/turtle"))


def test_pool_errors_keep_their_kind_and_message_and_the_worker(pool: Pool) -> None:
    pids = pool.pids()
    with pytest.raises(BadQuery, match="error at 1:"):
        pool.run(job("SELECT ?x WHERE { ?x"))
    assert pool.pids() == pids
    assert pool.run(job(COUNT)).rows == 1


def test_pool_table_mode_gives_labelled_rows(pool: Pool) -> None:
    answer = pool.run(job("SELECT ?p WHERE { ?p a <https://w3id.org/dxkg/ontology#Province> } LIMIT 50",
                          mode="table", limit=3))
    assert answer.table is not None and answer.table.columns == ("p",)
    assert len(answer.table.rows) == 3 and answer.table.truncated
    assert all(row[0] is not None and row[0].labels for row in answer.table.rows)


def test_pool_runaway_query_is_killed_and_its_worker_replaced(pool: Pool, loaded: LoadedStore) -> None:
    before = set(pool.pids())
    with pytest.raises(QueryTimeout, match="time limit of 2 s"):
        pool.run(job(RUNAWAY))
    assert wait_until(lambda: len(pool.pids()) == 2 and set(pool.pids()) != before)
    killed = before - set(pool.pids())
    assert len(killed) == 1
    assert wait_until(lambda: not any(exists(pid) for pid in killed))  # stopped and reaped: no core kept busy
    for _ in range(2):
        assert count_of(pool.run(job(COUNT)).body or b"") == loaded.manifest.triples


def test_pool_worker_that_died_while_idle_is_replaced(pool: Pool) -> None:
    victim = pool.pids()[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: not exists(victim))
    for _ in range(4):  # whichever worker the queries meet, they are answered
        assert pool.run(job(COUNT)).rows == 1
    assert wait_until(lambda: len(pool.pids()) == 2 and victim not in pool.pids())


def test_pool_past_the_cap_refuses_at_once(loaded: LoadedStore, pool_settings: Settings) -> None:
    pool = Pool.start(loaded.store, pool_settings.model_copy(update={"query_workers": 1, "max_queries_in_flight": 1}))
    outcome: list[BaseException] = []
    runaway = threading.Thread(target=lambda: outcome.append(pytest.raises(QueryTimeout, pool.run, job(RUNAWAY)).value))
    try:
        runaway.start()
        assert wait_until(lambda: pool.in_flight == 1)
        with pytest.raises(ServerBusy) as refused:
            pool.run(job(COUNT))
        assert runaway.is_alive()  # refused while the first query still ran: nothing was queued
        assert refused.value.headers == {"Retry-After": str(refused.value.retry_after)}
        runaway.join()
        assert isinstance(outcome[0], QueryTimeout)
        assert wait_until(lambda: len(pool.pids()) == 1)
        assert pool.run(job(COUNT)).rows == 1
    finally:
        pool.close()


def test_pool_retired_pool_hands_new_queries_to_its_successor(loaded: LoadedStore, pool_settings: Settings) -> None:
    old = Pool.start(loaded.store, pool_settings)
    new = Pool.start(loaded.store, pool_settings)
    processes = [*old.pids(), old.zygote_pid]
    try:
        old.retire(successor=new)
        assert count_of(old.run(job(COUNT)).body or b"") == loaded.manifest.triples
        assert wait_until(lambda: not any(exists(pid) for pid in processes))
    finally:
        new.close()


def test_pool_close_ends_every_process(loaded: LoadedStore, pool_settings: Settings) -> None:
    pool = Pool.start(loaded.store, pool_settings)
    processes = [*pool.pids(), pool.zygote_pid]
    pool.close()
    assert wait_until(lambda: not any(exists(pid) for pid in processes))
    with pytest.raises(StoreUnavailable):
        pool.run(job(COUNT))


def test_pool_run_async_answers_times_out_and_spools_like_run(pool: Pool) -> None:
    import asyncio

    async def scenario() -> None:
        answer = await pool.run_async(job(COUNT))
        assert json.loads(answer.body or b"")["results"]["bindings"][0]["n"]["value"].isdigit()
        large = await pool.run_async(job(LARGE))
        assert large.file is not None and large.body is None  # the spooled file came over the socket
        assert large.file.read(1) == b"{"
        large.close()
        with pytest.raises(BadQuery):
            await pool.run_async(job("SELECT WHERE {"))
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            await pool.run_async(job(RUNAWAY))
        assert time.monotonic() - started < 5
        # More queries than workers: the ones waiting for a worker get one as the others finish.
        answers = await asyncio.gather(*(pool.run_async(job(RANDOM)) for _ in range(6)))
        assert len({json.loads(a.body or b"")["results"]["bindings"][0]["u"]["value"] for a in answers}) == 6

    run_on_own_thread(scenario)
    assert wait_until(lambda: len(pool.pids()) == 2)
    assert pool.in_flight == 0


def test_pool_run_async_cancelled_kills_the_busy_worker_and_loses_no_idle_one(pool: Pool) -> None:
    import asyncio

    busy = set(pool.pids())

    async def scenario() -> None:
        running_queries = [asyncio.create_task(pool.run_async(job(RUNAWAY))) for _ in range(2)]
        waiting = asyncio.create_task(pool.run_async(job(COUNT)))  # no free worker: it waits on a thread
        await asyncio.sleep(0.3)
        for task in (*running_queries, waiting):
            task.cancel()
        await asyncio.gather(*running_queries, waiting, return_exceptions=True)

    run_on_own_thread(scenario)
    assert pool.in_flight == 0
    # Both busy workers were killed (their state mid-query is unknown) and replaced.
    assert wait_until(lambda: len(pool.pids()) == 2 and not set(pool.pids()) & busy)
    answers = [pool.run(job(COUNT)) for _ in range(4)]  # and no worker went missing from the idle queue
    assert all(a.body for a in answers)


# --- memory budget -------------------------------------------------------------------------------

# Sorts eight copies of every quad: a worker's heap grows by tens of MiB (a COUNT costs it about 4 MiB).
HEAVY = ("SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?copy { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 } } "
         "ORDER BY ?o ?copy LIMIT 1")


def children_of(pid: int) -> set[int]:
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if parent_of(int(name)) == pid and running(int(name)):
                    found.add(int(name))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return found


def test_pool_worker_past_its_memory_budget_is_replaced_by_the_spare(loaded: LoadedStore,
                                                                      pool_settings: Settings) -> None:
    pool = Pool.start(loaded.store, pool_settings.model_copy(update={"worker_memory_mb": 10}))
    try:
        workers = set(pool.pids())
        assert wait_until(lambda: len(children_of(pool.zygote_pid)) == 3)  # the zygote keeps a spare ready
        spare = children_of(pool.zygote_pid) - workers
        for _ in range(4):  # small queries leave both workers under their budget
            assert count_of(pool.run(job(COUNT)).body or b"") == loaded.manifest.triples
        assert set(pool.pids()) == workers and pool.retirements == 0
        assert pool.run(job(HEAVY)).rows == 1  # answered, then the worker leaves
        assert pool.retirements == 1
        assert wait_until(lambda: len(pool.pids()) == 2)
        retired = workers - set(pool.pids())
        assert len(retired) == 1
        assert set(pool.pids()) - workers == spare  # the spare took its place: no fork on the way
        assert wait_until(lambda: not any(exists(pid) for pid in retired))  # exited: its memory is given back
        assert wait_until(lambda: len(children_of(pool.zygote_pid)) == 3)  # and a new spare is forked
        for _ in range(4):
            assert count_of(pool.run(job(COUNT)).body or b"") == loaded.manifest.triples
        large = pool.run(job(LARGE))  # a spooled answer still arrives whole from a retiring worker
        assert large.file is not None and large.rows == 3 * loaded.manifest.triples
        large.close()
    finally:
        pool.close()


def test_pool_memory_budget_0_never_replaces_a_worker(loaded: LoadedStore, pool_settings: Settings) -> None:
    pool = Pool.start(loaded.store, pool_settings.model_copy(update={"worker_memory_mb": 0}))
    try:
        workers = set(pool.pids())
        for _ in range(4):
            assert pool.run(job(HEAVY)).rows == 1
        assert set(pool.pids()) == workers and pool.retirements == 0 and pool.replacements == 0
    finally:
        pool.close()


def test_pool_default_memory_budget_is_the_store_size(pool: Pool, loaded: LoadedStore) -> None:
    # Unset, the budget is the zygote's resident size (the store and the interpreter): everyday
    # queries never reach it.
    workers = set(pool.pids())
    for query in (COUNT, HEAVY, COUNT, HEAVY):
        assert pool.run(job(query)).rows == 1
    assert set(pool.pids()) == workers and pool.retirements == 0
