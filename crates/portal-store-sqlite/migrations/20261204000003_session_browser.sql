-- Browser and operating system of the sign-in, such as 'Chrome on Linux', shown on the
-- sessions page. NULL for sessions started before this column existed or without a User-Agent.
ALTER TABLE sessions ADD COLUMN browser TEXT CHECK (length(browser) <= 100);
