"""A PostgreSQL cluster of the test's own, which it may stop and start: the shared server on 5432 stays up."""

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.private_servers import free_port, wait_for_port


def _server_binaries() -> Path:
    """Debian's PostgreSQL programs (initdb, pg_ctl) of the newest installed version."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
    assert versions, "no PostgreSQL server programs under /usr/lib/postgresql"
    return versions[-1]


class PostgresCluster:
    """An initdb'd data directory owned by the `postgres` user, served on a free loopback port."""

    def __init__(self, directory: Path) -> None:
        self.bin = _server_binaries()
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _as_postgres(self, *command: str) -> None:
        # initdb and the server refuse to run as root; runuser drops to the `postgres` OS user.
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)

    def initdb(self) -> None:
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "server.log"),
            "-o", options, "-w", "start",
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        """Stop at once as an operator would: open transactions are rolled back, clients disconnected."""
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A running private cluster, removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="scmi_pg_"))
    shutil.chown(directory, "postgres", "postgres")
    cluster = PostgresCluster(directory)
    cluster.initdb()
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
