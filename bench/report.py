"""The sections of docs/benchmarks.md for the large data set: transitions, API under load,
scale-out (gunicorn and Celery worker processes), and the summary of every figure."""

VERDICT = {True: "met", False: "**not met**"}


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def summary(results: dict) -> list[str]:
    """One line per figure: the figure, its floor, the ratio and the target."""
    rows = []
    sweep, delivery = results.get("sweep"), results.get("delivery")
    if sweep:
        big = sweep["results"][0]
        rows.append(
            f"| Sweep, {big['label']} | {big['due'] / big['sweep']:,.0f} rows/s | "
            f"{big['due'] / big['raw']:,.0f} rows/s | {big['ratio']:.2f}x | within 2x: "
            f"{VERDICT[big['ratio'] <= 2]} |"
        )
    if delivery:
        rows.append(
            f"| Delivery through the worker | {delivery['worker']['rate']:,.0f} e-mails/s | "
            f"{delivery['floor']['rate']:,.0f} e-mails/s | {1 / delivery['ratio']:.2f}x | "
            f"within 2x: {VERDICT[delivery['ratio'] >= 0.5]} |"
        )
    transitions = results.get("transitions")
    if transitions:
        rows.append(
            f"| Transitions (`submit`, {transitions['roles_per_action']:.1f} roles) | "
            f"{transitions['service']['rate']:,.0f} /s | {transitions['floor']['rate']:,.0f} /s | "
            f"{transitions['ratio']:.2f}x | within 2.5x: {VERDICT[transitions['ratio'] <= 2.5]} |"
        )
    webhooks = results.get("webhooks")
    if webhooks:
        rows.append(
            f"| Transition (`submit`) with 2 webhook endpoints, median | "
            f"{_ms(webhooks['with_two']['median_ms'])} | {_ms(webhooks['floor']['median_ms'])} | "
            f"{webhooks['ratio']:.2f}x | within 1.2x: {VERDICT[webhooks['ratio'] <= 1.2]} |"
        )
    api = results.get("api")
    if api:
        for kind, figures in api["sequential"].items():
            rows.append(
                f"| API median, {kind.replace('_', ' ')} | {_ms(figures['api_ms'])} | "
                f"{_ms(figures['floor_ms'])} | {figures['ratio']:.2f}x | within 3x: "
                f"{VERDICT[figures['ratio'] <= 3]} |"
            )
    if not rows:
        return []
    return [
        "## Summary",
        "",
        "Every figure against its floor, measured in the same run. A ratio is how many times "
        "slower the product is than the floor (1x: as fast as the least the work allows).",
        "",
        "| Figure | Product | Floor | Ratio | Target |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]


BREAKDOWN_PARTS = ("statements", "commit", "push", "Python")


def transitions_section(result: dict) -> list[str]:
    service, floor = result["service"], result["floor"]
    written = result["written"]
    return [
        "## Transitions",
        "",
        "How to read: transitions per second of one client, one after another, each its own "
        "transaction and its own commit; the ratio says what the service's checks, ORM and "
        "effects cost over the same writes done by hand.",
        "",
        f"`submit` on {result['count']:,} draft actions of the generated data set (average "
        f"{result['roles_per_action']:.1f} partner roles each) through "
        "`backend.actions.transitions.submit_action`, starting from the action's id: the "
        "engine locks the action (with its project), checks state, permission and guards (the "
        "open roles read once), saves it and writes its log row; then the service invites "
        "every proposed role (locked in one SELECT, saved in one "
        "`bulk_create(update_conflicts=True)`, logged in one `bulk_create`) and plans the "
        "notices (an invitation and two reminders per role, the escalation to the action's "
        "staff): the rows that may exist read in one SELECT, the "
        "new ones written in one `bulk_create(ignore_conflicts=True)` and their ids read back, "
        "all in one transaction; once it has committed, one task is published for the "
        "invitations due now (`transaction.on_commit`). Plain querysets only (no hand-written "
        "SQL), and the reminder policy is read once per transition. The floor: the "
        "same writes in raw SQL on a plain psycopg connection (lock the action and its "
        "roles, the same checks in Python, one UPDATE for the action, one for its roles, the "
        "log rows in one INSERT and the notification rows in one `INSERT … ON CONFLICT DO "
        "NOTHING`, each reading its rows from arrays (`unnest`), as the service does; one "
        "commit; the policy read once; no broker push). "
        "Both sides "
        "run with server-side binding and statements prepared after 5 runs (the project's "
        "default on PostgreSQL) and alternate in blocks of 25 on other actions of the same "
        "data set.",
        "",
        "| | Transitions/s | Median | p95 | SQL statements per transition |",
        "|---|---|---|---|---|",
        f"| raw SQL (floor) | {floor['rate']:,.0f} | {_ms(floor['median_ms'])} | "
        f"{_ms(floor['p95_ms'])} | 7 (+ 1 commit) |",
        f"| `submit_action` | {service['rate']:,.0f} | {_ms(service['median_ms'])} | "
        f"{_ms(service['p95_ms'])} | {result['queries']} (+ 1 commit) |",
        "",
        f"Ratio: **{result['ratio']:.2f}x** the floor's time (target: within 2.5x: "
        f"{VERDICT[result['ratio'] <= 2.5]}). Both sides wrote the same kind and number of "
        f"rows: service {written['service']}, floor {written['floor']}.",
        "",
        "Where one `submit` of the service spends its time (ms, the average of 100 more "
        "submits, timed separately):",
        "",
        "| SQL statements | Commit | Push to the broker | "
        "Python (ORM, state machine, guards, effects) | Total |",
        "|---|---|---|---|---|",
        "| " + " | ".join(_ms(result["breakdown"][k]) for k in BREAKDOWN_PARTS) + " | "
        f"{_ms(sum(result['breakdown'][k] for k in BREAKDOWN_PARTS))} |",
        "",
        f"The statements are nearly as few as the floor's ({result['queries']} against 7: the "
        "roles, the log rows and the notification rows are each written in one statement, "
        "whatever the number of roles), and take about as long. The rest of the gap is the "
        "Python the floor does not run: the state machine checking the permission and guards "
        "of the action and of every role and firing the transitions, model instances built "
        "from the rows read, and each value prepared by its model field before it is written.",
        "",
    ]


def api_section(result: dict, info: dict) -> list[str]:
    seq, queries = result["sequential"], result["queries"]
    load = result["load"]
    clients, seconds, threads = result["clients"], result["seconds"], result["threads"]
    lines = [
        "## API under load",
        "",
        "How to read: the medians (one client) compare the API with the least Django can do "
        "for the same rows; the 20-client figures are what a user waits for when 20 requests "
        "are always in flight on this 2-CPU machine (client, gunicorn and PostgreSQL share "
        "it), so they measure the machine's capacity as much as the code.",
        "",
        f"Data set: {result['dataset']['actions']:,} actions, {result['dataset']['roles']:,} "
        "partner roles (generated by `bench/dataset.py`). gunicorn (gthread workers, "
        f"{threads} threads each) serves the project with `bench.settings`: the project's "
        "settings plus a bench-only URLconf (`bench/floor_urls.py`: the API's URLs as the "
        "project mounts them, and the floor views) and a middleware counting the SQL queries "
        "of each request. The floor is a bare Django view: the token checked with one query, "
        "the same rows from `.values()` (the action's columns and territory, its findings, "
        "its partner roles with the organisation's and the contact's names, the same count "
        "for the pagination), `JsonResponse`. The client: Python threads, each with its own "
        "keep-alive connection, authenticated with a token from `POST /api/v1/auth/token/` "
        "(the director: every territory).",
        "",
        f"### Median latency, one client ({seq['list']['count']} requests of each kind on "
        "each side, alternately, same parameters)",
        "",
        "| Request | API | Floor | Ratio (target 3x) | Response size, API / floor |",
        "|---|---|---|---|---|",
    ]
    from bench.api_bench import LABELS

    for kind, figures in seq.items():
        lines.append(
            f"| {LABELS[kind]} | {_ms(figures['api_ms'])} | {_ms(figures['floor_ms'])} | "
            f"**{figures['ratio']:.2f}x** ({VERDICT[figures['ratio'] <= 3]}) | "
            f"{figures['api_bytes'] / 1024:.0f} / {figures['floor_bytes'] / 1024:.0f} KiB |"
        )
    lines += [
        "",
        "### Queries per request",
        "",
        "| Request | API | Floor |",
        "|---|---|---|",
    ]
    for label, counts in queries["requests"].items():
        lines.append(f"| {label} | {counts['api']} | {counts['floor']} |")
    observed = {
        kind: sorted(load[max(load)]["api"]["queries"][kind]) for kind in ("list", "detail")
    }
    lines += [
        "",
        f"Constant: {VERDICT[queries['constant']]} (the list: the token, the count, the page, "
        "its roles with their organisations and contacts, its findings; the detail: the "
        f"same without the count). Over every request of the load runs the API made "
        f"{', '.join(str(n) for n in observed['list'])} queries per list and "
        f"{', '.join(str(n) for n in observed['detail'])} per detail. The floor returns the "
        f"same actions, roles and findings: {VERDICT[queries['same_rows']]}.",
        "",
        f"### {clients} concurrent clients, {seconds:.0f} s each, an even mix of the three kinds",
        "",
        "| gunicorn workers | Side | Requests/s | p50 | p95 | Requests | 5xx |",
        "|---|---|---|---|---|---|---|",
    ]
    for workers in sorted(load):
        for side in ("api", "floor"):
            figures = load[workers][side]
            lines.append(
                f"| {workers} | {'API' if side == 'api' else 'floor'} | {figures['rps']:,.1f} | "
                f"{_ms(figures['p50_ms'])} | {_ms(figures['p95_ms'])} | "
                f"{figures['requests']:,} | {figures['errors']} |"
            )
    lines.append("")
    return lines


def scale_section(api: dict | None, workers: dict | None, info: dict) -> list[str]:
    lines = [
        "## Scale-out",
        "",
        f"How to read: the same load with 1 and with 2 processes. This machine has "
        f"{info['cpus']} CPUs, shared by the client, the server processes, PostgreSQL, Redis "
        "and the SMTP server, so a second process cannot double the throughput here; on separate "
        "hosts each process brings its own CPU. The web tier and the workers keep no state of "
        "their own (DESIGN.md §8), so adding processes or hosts is all scaling out takes.",
        "",
    ]
    if api:
        load = api["load"]
        if 1 in load and 2 in load:
            growth = load[2]["api"]["rps"] / load[1]["api"]["rps"]
            floor_growth = load[2]["floor"]["rps"] / load[1]["floor"]["rps"]
            lines += [
                "| gunicorn workers | API requests/s | API p95 | Floor requests/s |",
                "|---|---|---|---|",
                *(
                    f"| {n} | {load[n]['api']['rps']:,.1f} | {_ms(load[n]['api']['p95_ms'])} | "
                    f"{load[n]['floor']['rps']:,.1f} |"
                    for n in (1, 2)
                ),
                "",
                f"2 workers / 1 worker: **{growth:.2f}x** the API's requests per second "
                f"({floor_growth:.2f}x for the floor), at {api['clients']} clients.",
                "",
            ]
    if workers:
        runs = workers["runs"]
        lines += [
            f"Celery: {workers['emails']:,} invitations due now, delivered to the local "
            "aiosmtpd by the real worker (`notifications.sweep_due`: claim, `build_message`, "
            "send, mark sent), by worker processes of concurrency 1, in the order "
            f"{', '.join(str(n) for n in workers['order'])} (the queue emptied before each "
            "run); each count's figure is the mean of its runs.",
            "",
            "| Worker processes | Time (mean) | E-mails/s (mean) | Each run, e-mails/s | "
            "Duplicates |",
            "|---|---|---|---|---|",
            *(
                f"| {n} | {runs[n]['seconds']:.1f} s | {runs[n]['rate']:,.0f} | "
                f"{' / '.join(f'{rate:,.0f}' for rate in runs[n]['rates'])} | "
                f"{runs[n]['duplicates']} |"
                for n in sorted(runs)
            ),
            "",
        ]
        if 1 in runs and 2 in runs:
            lines += [
                f"2 processes / 1 process: **{runs[2]['rate'] / runs[1]['rate']:.2f}x** the "
                "e-mails per second.",
                "",
            ]
    return lines


def render_more(results: dict, info: dict, dataset: dict | None) -> str:
    lines = []
    if dataset:
        lines += [
            "## The large data set",
            "",
            f"`bench/dataset.py` wrote {dataset['actions']:,} actions, {dataset['roles']:,} "
            f"partner roles and {dataset['findings']:,} links to findings in "
            f"{dataset['seconds']:.0f} s (PostgreSQL COPY through psycopg 3), on the Loire demo "
            "data (4 territories and projects, their communes, axes, findings, staff) and "
            "400 generated organisations with 3 contacts each. States are realistic: drafts "
            "with proposed roles, consultations with invited and answered roles, accepted "
            "roles from `ready_for_board` on, a pilot on every action.",
            "",
        ]
    if results.get("transitions"):
        lines += transitions_section(results["transitions"])
    if results.get("webhooks"):
        from bench.webhook_bench import section

        lines += section(results["webhooks"])
    if results.get("api"):
        lines += api_section(results["api"], info)
    if results.get("api") or results.get("workers"):
        lines += scale_section(results.get("api"), results.get("workers"), info)
    return "\n".join(lines)
