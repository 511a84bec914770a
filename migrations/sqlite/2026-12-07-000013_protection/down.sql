DROP TABLE protection;
DROP TABLE data_keys;
