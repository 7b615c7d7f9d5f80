namespace Workshop.Tests.Workflows;

/// <summary>
/// Definitions the drawing tests draw: one shaped like the daily pipeline (a choice of day, a crawler polled in a loop,
/// a table found or created, the day curated by Athena and the batch job, then checked), and small ones with a
/// Parallel and a Map.
/// </summary>
internal static class DrawingDefinitions
{
    public const string Daily = """
        {
          "Comment": "Builds one day of daily_weather",
          "StartAt": "ChooseDay",
          "States": {
            "ChooseDay": {
              "Type": "Choice",
              "Choices": [ { "Variable": "$.day", "IsPresent": true, "Next": "GivenDay" } ],
              "Default": "Yesterday"
            },
            "GivenDay": { "Type": "Pass", "Parameters": { "day.$": "$.day" }, "Next": "StartCrawler" },
            "Yesterday": { "Type": "Pass", "Parameters": { "day.$": "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)" }, "Next": "StartCrawler" },
            "StartCrawler": {
              "Type": "Task",
              "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
              "Parameters": { "Name": "weather-crawler" },
              "ResultPath": null,
              "Catch": [ { "ErrorEquals": [ "Glue.CrawlerRunningException" ], "ResultPath": null, "Next": "WaitForCrawler" } ],
              "Next": "WaitForCrawler"
            },
            "WaitForCrawler": { "Type": "Wait", "Seconds": 30, "Next": "GetCrawler" },
            "GetCrawler": {
              "Type": "Task",
              "Resource": "arn:aws:states:::aws-sdk:glue:getCrawler",
              "Parameters": { "Name": "weather-crawler" },
              "ResultPath": "$.crawler",
              "Next": "CrawlerFinished"
            },
            "CrawlerFinished": {
              "Type": "Choice",
              "Choices": [ { "Variable": "$.crawler.Crawler.State", "StringEquals": "READY", "Next": "FindDailyTable" } ],
              "Default": "WaitForCrawler"
            },
            "FindDailyTable": {
              "Type": "Task",
              "Resource": "arn:aws:states:::aws-sdk:glue:getTable",
              "Parameters": { "DatabaseName": "weather", "Name": "daily_weather" },
              "ResultPath": null,
              "Catch": [ { "ErrorEquals": [ "Glue.EntityNotFoundException" ], "ResultPath": null, "Next": "CreateDailyTable" } ],
              "Next": "CurateDay"
            },
            "CreateDailyTable": {
              "Type": "Task",
              "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
              "Parameters": { "QueryString": "CREATE TABLE daily_weather ..." },
              "ResultPath": null,
              "Next": "CurateDay"
            },
            "CurateDay": {
              "Type": "Task",
              "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
              "Parameters": { "QueryString.$": "States.Format('INSERT INTO daily_weather ... {}', $.day)" },
              "ResultPath": null,
              "Next": "RunBatchJob"
            },
            "RunBatchJob": {
              "Type": "Task",
              "Resource": "arn:aws:states:::glue:startJobRun.sync",
              "Parameters": { "JobName": "weather-batch" },
              "Retry": [ { "ErrorEquals": [ "States.TaskFailed" ], "MaxAttempts": 2, "IntervalSeconds": 60 } ],
              "Catch": [ { "ErrorEquals": [ "States.ALL" ], "Next": "MissingHours" } ],
              "ResultPath": null,
              "Next": "CheckDay"
            },
            "CheckDay": {
              "Type": "Task",
              "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
              "Parameters": { "QueryString.$": "States.Format('SELECT count(*) AS hours FROM daily_weather WHERE day = \\'{}\\'', $.day)" },
              "ResultPath": "$.check",
              "Next": "ReadCheck"
            },
            "ReadCheck": {
              "Type": "Task",
              "Resource": "arn:aws:states:::athena:getQueryResults",
              "Parameters": { "QueryExecutionId.$": "$.check.QueryExecution.QueryExecutionId" },
              "ResultSelector": { "hours.$": "States.StringToJson($.ResultSet.Rows[1].Data[0].VarCharValue)" },
              "ResultPath": "$.result",
              "Next": "DayComplete"
            },
            "DayComplete": {
              "Type": "Choice",
              "Choices": [ { "Variable": "$.result.hours", "NumericEquals": 24, "Next": "Done" } ],
              "Default": "MissingHours"
            },
            "MissingHours": { "Type": "Fail", "Error": "DailyWeather.MissingHours", "Cause": "The day does not have 24 hours of readings." },
            "Done": { "Type": "Succeed" }
          }
        }
        """;

    public const string WithParallel = """
        {
          "StartAt": "Prepare",
          "States": {
            "Prepare": { "Type": "Pass", "Next": "BothEngines" },
            "BothEngines": {
              "Type": "Parallel",
              "Branches": [
                { "StartAt": "QueryAthena", "States": {
                    "QueryAthena": { "Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync", "Next": "ReadAthena" },
                    "ReadAthena": { "Type": "Task", "Resource": "arn:aws:states:::athena:getQueryResults", "End": true } } },
                { "StartAt": "QueryWarehouse", "States": {
                    "QueryWarehouse": { "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:redshiftdata:executeStatement", "End": true } } }
              ],
              "Catch": [ { "ErrorEquals": [ "States.ALL" ], "Next": "Report" } ],
              "Next": "Compare"
            },
            "Compare": { "Type": "Pass", "Next": "Report" },
            "Report": { "Type": "Pass", "End": true }
          }
        }
        """;

    public const string WithMap = """
        {
          "StartAt": "ListCities",
          "States": {
            "ListCities": { "Type": "Pass", "Result": [ "Oslo", "Lima" ], "ResultPath": "$.cities", "Next": "EachCity" },
            "EachCity": {
              "Type": "Map",
              "ItemsPath": "$.cities",
              "ItemProcessor": {
                "ProcessorConfig": { "Mode": "INLINE" },
                "StartAt": "Lookup",
                "States": {
                  "Lookup": { "Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:city-lookup", "Next": "Known" },
                  "Known": { "Type": "Choice", "Choices": [ { "Variable": "$.found", "BooleanEquals": true, "Next": "Keep" } ], "Default": "Skip" },
                  "Keep": { "Type": "Pass", "End": true },
                  "Skip": { "Type": "Succeed" }
                }
              },
              "End": true
            }
          }
        }
        """;
}
