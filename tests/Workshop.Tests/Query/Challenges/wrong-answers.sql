-- Plausible mistakes a learner makes in notebooks/04-challenges.ipynb, one per block. Every one must be graded
-- "Not yet" on every simulated day of ChallengeGradingTests, with a hint containing the "hint:" text.
-- A block is: "-- challenge N: what the mistake is", "-- hint: text the hint contains", then the SQL up to a line ending in ";".

-- challenge 1: variance instead of the standard deviation (wrong aggregate)
-- hint: is not its standard deviation
SELECT city, VARIANCE(temperature) AS spread FROM clean_weather_data GROUP BY city ORDER BY spread DESC;

-- challenge 1: the raw table, where every reading is counted as often as it was collected
-- hint: each reading counted once
SELECT city, STDDEV(temperature) AS spread FROM raw_weather_data GROUP BY city ORDER BY spread DESC;

-- challenge 1: least variable city first (ascending order)
-- hint: is not the one whose temperature varies the most
SELECT city, STDDEV(temperature) AS spread FROM clean_weather_data GROUP BY city ORDER BY spread ASC;

-- challenge 1: the range (highest minus lowest) instead of the standard deviation
-- hint: standard deviation
SELECT city, MAX(temperature) - MIN(temperature) AS spread FROM clean_weather_data GROUP BY city ORDER BY spread DESC;

-- challenge 1: the standard deviation of the hourly averages, not of the readings
-- hint: standard deviation
SELECT city, STDDEV(hourly) AS spread
FROM (SELECT city, date_trunc('hour', measurement_time) AS h, AVG(temperature) AS hourly FROM clean_weather_data GROUP BY 1, 2)
GROUP BY city ORDER BY spread DESC;

-- challenge 1: the city only, no number beside it
-- hint: Put a city and its standard deviation of temperature in your first row.
SELECT city FROM clean_weather_data GROUP BY city ORDER BY STDDEV(temperature) DESC;

-- challenge 2: the highest reading instead of the average (wrong aggregate)
-- hint: average temperature
SELECT hour(measurement_time) AS hour_of_day, MAX(temperature) AS warmest FROM clean_weather_data GROUP BY 1 ORDER BY warmest DESC;

-- challenge 2: the coldest hour (ascending order)
-- hint: is not the warmest on average
SELECT hour(measurement_time) AS hour_of_day, AVG(temperature) AS mean_temp FROM clean_weather_data GROUP BY 1 ORDER BY mean_temp ASC;

-- challenge 2: the average rounded to whole degrees
-- hint: keep at least three decimals
SELECT hour(measurement_time) AS hour_of_day, ROUND(AVG(temperature)) AS mean_temp FROM clean_weather_data GROUP BY 1 ORDER BY AVG(temperature) DESC;

-- challenge 2: one city only (the wrong city's warmest hour)
-- hint: average temperature
SELECT hour(measurement_time) AS hour_of_day, AVG(temperature) AS mean_temp FROM clean_weather_data WHERE city = 'London' GROUP BY 1 ORDER BY mean_temp DESC;

-- challenge 2: the hour with no average beside it
-- hint: Put an hour of the day (a number from 0 to 23) and its average temperature in your first row.
SELECT hour(measurement_time) AS hour_of_day FROM clean_weather_data GROUP BY 1 ORDER BY AVG(temperature) DESC;

-- challenge 3: a window one hour too short (the current hour and one before it)
-- hint: ROWS BETWEEN 2 PRECEDING AND CURRENT ROW
WITH per_hour AS (SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp FROM clean_weather_data GROUP BY 1, 2)
SELECT city, hour_start, AVG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS rolling
FROM per_hour;

-- challenge 3: a window one hour too long (the current hour and three before it)
-- hint: ROWS BETWEEN 2 PRECEDING AND CURRENT ROW
WITH per_hour AS (SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp FROM clean_weather_data GROUP BY 1, 2)
SELECT city, hour_start, AVG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS rolling
FROM per_hour;

-- challenge 3: no PARTITION BY city, so the window mixes the cities
-- hint: per city, in hour order
WITH per_hour AS (SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp FROM clean_weather_data GROUP BY 1, 2)
SELECT city, hour_start, AVG(mean_temp) OVER (ORDER BY hour_start, city ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS rolling
FROM per_hour;

-- challenge 3: the window over individual readings, not over hourly averages
-- hint: there should be exactly one per city and hour
SELECT city, date_trunc('hour', measurement_time) AS hour_start,
       AVG(temperature) OVER (PARTITION BY city ORDER BY measurement_time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS rolling
FROM clean_weather_data;

-- challenge 3: the plain hourly average, with no window
-- hint: do not match a rolling average
SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp FROM clean_weather_data GROUP BY 1, 2;
