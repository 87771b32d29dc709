-- One database per service, one account for the services (password from MYSQL_PASSWORD in compose).
CREATE DATABASE IF NOT EXISTS member;
CREATE DATABASE IF NOT EXISTS catalog;
CREATE DATABASE IF NOT EXISTS orders;
CREATE DATABASE IF NOT EXISTS payment;
CREATE DATABASE IF NOT EXISTS delivery;
GRANT ALL PRIVILEGES ON member.* TO 'eventmall'@'%';
GRANT ALL PRIVILEGES ON catalog.* TO 'eventmall'@'%';
GRANT ALL PRIVILEGES ON orders.* TO 'eventmall'@'%';
GRANT ALL PRIVILEGES ON payment.* TO 'eventmall'@'%';
GRANT ALL PRIVILEGES ON delivery.* TO 'eventmall'@'%';
