DROP TABLE notifications;
DROP TABLE escalations;
