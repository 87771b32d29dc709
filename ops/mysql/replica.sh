#!/bin/sh
# mysql-replica, first start only (docker-entrypoint-initdb.d): replicate mysql-server from its first GTID (its whole
# binary log: the databases, the services' grants, then every row), refuse every write but replication's
# (super_read_only, from the next start on), and let the services' account read the lag (REPLICATION CLIENT, for
# eventmall_mysql_replica_lag_seconds). Replication starts when the server starts for real after this script.
# A mysql-server volume with data from before GTIDs were on cannot be followed like this: seed the replica from a
# dump first (docs/operations.md, "Read replica").
set -eu
mysql --protocol=socket -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
SET sql_log_bin = 0;
GRANT REPLICATION CLIENT ON *.* TO '${MYSQL_USER}'@'%';
CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'mysql-server', SOURCE_USER = 'repl',
  SOURCE_PASSWORD = '${MYSQL_REPLICATION_PASSWORD:-replica}', SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1,
  SOURCE_CONNECT_RETRY = 5;
SET PERSIST super_read_only = ON;
SQL
