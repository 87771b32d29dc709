#!/bin/sh
# mysql-server, first start only (docker-entrypoint-initdb.d): the account mysql-replica replicates with. Binary log
# (ROW) and GTIDs are on through compose's command (--server-id=1 --gtid-mode=ON --enforce-gtid-consistency=ON).
set -eu
mysql --protocol=socket -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '${MYSQL_REPLICATION_PASSWORD:-replica}';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
SQL
