import { jest } from '@jest/globals';
import { cronIntervalSeconds, cronProblem, dailyRun, nightlySchedule, runsPerDay } from '../../src/util/cron.js';

/**
 * The one cron module (src/util/cron.ts, on croner). Expected values are worked out by hand from the calendar of
 * 2024-2027 and from what robfig/cron, the parser both operators use, makes of each schedule.
 */

describe('cronProblem: the five-field schedules a claim may use', () => {
  it.each([
    '30 2 * * *',
    '  30   2 * * *  ',
    '0 */6 * * *',
    '0,30 * * * *',
    '5/15 * * * *',
    '0 3 * * 1-5',
    '0 3 * * 0',
    '0 3 * * 7',
    '0 3 * * 0-7',
    '0 3 1,15 * 1',
    '0 3 1 1 *',
    '0 0 31 2 *',
    '0-59/60 23 * * *',
    // A step longer than its field selects its start: robfig takes it, and so do we.
    '*/61 * * * *',
    '0 */25 * * *',
    '0 0 */32 */13 */8',
    '007 02 * * *',
  ])('accepts %j', (schedule) => {
    expect(cronProblem(schedule)).toBeUndefined();
  });

  it.each([
    ['daily', 'must have five fields: minute hour day-of-month month day-of-week'],
    ['0 3 * *', 'must have five fields: minute hour day-of-month month day-of-week'],
    ['0 0 3 * * *', 'must have five fields: minute hour day-of-month month day-of-week'],
    ['61 1 * * *', 'minute "61" is outside 0-59'],
    ['0 24 * * *', 'hour "24" is outside 0-23'],
    ['0 0 0 * *', 'day of month "0" is outside 1-31'],
    ['0 0 1-40 * *', 'day of month "1-40" is outside 1-31'],
    ['0 0 * 13 *', 'month "13" is outside 1-12'],
    ['0 0 * * 8', 'day of week "8" is outside 0-7'],
    // Croner checks only the values a step lands on; the range's own ends are checked too.
    ['55-65/20 * * * *', 'minute "55-65/20" is outside 0-59'],
    ['60/2 * * * *', 'minute "60/2" is outside 0-59'],
    ['99999999999999999999 * * * *', 'minute "99999999999999999999" is outside 0-59'],
    ['5-1 * * * *', `minute "5-1": From value is larger than to value: '5-1'`],
    ['*/0 * * * *', 'minute "*/0": illegal stepping: 0'],
    // Croner's extensions, which the operators' parsers don't all take.
    ['0 3 * * SUN', 'day of week "SUN" is not a number, range, list or step'],
    ['0 3 * JAN *', 'month "JAN" is not a number, range, list or step'],
    ['0 3 ? * *', 'day of month "?" is not a number, range, list or step'],
    ['0 3 L * *', 'day of month "L" is not a number, range, list or step'],
    ['0 3 * * 1#2', 'day of week "1#2" is not a number, range, list or step'],
    ['@daily', 'must have five fields: minute hour day-of-month month day-of-week'],
    ['/5 * * * *', 'minute "/5" is not a number, range, list or step'],
    ['1,,2 * * * *', 'minute "" is not a number, range, list or step'],
  ])('refuses %j: %s', (schedule, message) => {
    expect(cronProblem(schedule)).toBe(message);
  });
});

describe('how often a schedule runs, read as robfig/cron reads it', () => {
  it.each([
    // [schedule, runs per day, longest gap in seconds]
    ['15 2 * * *', 1, 86_400],
    ['0 0 * * *', 1, 86_400],
    ['59 23 * * *', 1, 86_400],
    ['* * * * *', 1_440, 60],
    ['*/61 * * * *', 24, 3_600],
    ['0 1,2 * * *', 2, 23 * 3_600],
    // Wednesday and Friday: robfig's `3/2` stops at Saturday (6); Vixie cron's would go on to 7, Sunday. The 1,461
    // days from Monday 2024-01-01 are 208 weeks and a Monday-to-Friday: 208 × 2 + 2 = 418 runs.
    ['0 3 * * 3/2', 418 / 1_461, 5 * 86_400],
    // Runs on 1,461 days of 1,461 from 2024-01-01: a day-of-month list holding `*` is a star, ANDed with every day.
    ['0 3 *,1 * *', 1, 86_400],
    // 208 Sundays: 208 weeks and a Monday-to-Friday, from Monday 2024-01-01.
    ['0 3 * * 0', 208 / 1_461, 7 * 86_400],
    ['0 3 * * 7', 208 / 1_461, 7 * 86_400],
    // 4 New Year's days, 366 days apart across 2024's 29 February.
    ['0 3 1 1 *', 4 / 1_461, 366 * 86_400],
  ])('%s runs %f times a day, at most %i s apart', (schedule, perDay, seconds) => {
    expect(runsPerDay(schedule)).toBeCloseTo(perDay, 6);
    expect(cronIntervalSeconds(schedule)).toBe(seconds);
  });

  it.each([
    // Weekdays: the list holding `*` counts as a star, so the day fields are ANDed (robfig); ORed, it would be daily.
    ['0 3 *,1 * 1-5', 3 * 86_400],
    // `*/2` is not a star to robfig: odd days OR Mondays, never more than two days apart (29 April → 1 May).
    ['0 3 */2 * 1', 2 * 86_400],
    // Only 29 February 2024 in four years: too rare to measure, a day.
    ['0 0 29 2 *', 86_400],
    ['0 0 31 2 *', 86_400],
    ['not a schedule', 86_400],
  ])('the longest gap of %s is %i s', (schedule, seconds) => {
    expect(cronIntervalSeconds(schedule)).toBe(seconds);
  });

  it.each([
    ['0 0 31 2 *', 0],
    ['0 0 29 2 *', 1 / 1_461],
    ['not a schedule', 1],
    ['0 3 * *', 1],
  ])('%s runs %f times a day', (schedule, perDay) => {
    expect(runsPerDay(schedule)).toBeCloseTo(perDay, 6);
  });
});

describe('answers that do not depend on the clock', () => {
  afterEach(() => jest.useRealTimers());

  it.each([
    // Tuesdays and Thursdays: 208 weeks and a Monday-to-Friday hold 418 (four years from the clock's Friday, 417);
    // Thursday to Tuesday is 5 days.
    ['2031-02-28T23:59:00Z', '0 4 * * 2,4', 418 / 1_461, 5 * 86_400],
    // 29 February 2024, once; four years from the clock's 2097 would hold none (2100 is no leap year).
    ['2097-03-01T00:00:00Z', '0 4 29,30 2 *', 1 / 1_461, 86_400],
  ])('at %s, %s runs %f times a day, at most %i s apart', (now, schedule, perDay, seconds) => {
    // Schedules no other test asks about, so that no remembered answer hides a clock-dependent one.
    jest.useFakeTimers({ now: new Date(now) });
    expect(runsPerDay(schedule)).toBeCloseTo(perDay, 6);
    expect(cronIntervalSeconds(schedule)).toBe(seconds);
  });
});

describe('nightlySchedule: a night-time minute from the instance', () => {
  it.each([
    // The first four bytes of sha256(identity) as a number, modulo the 480 minutes from 22:00 (worked out with
    // sha256sum: fb696b48 → slot 40, 24ad43c5 → 293, 8de53308 → 264).
    ['team-a/db', '40 22 * * *'],
    ['shop/orders-db', '53 2 * * *'],
    ['finance/billing', '24 2 * * *'],
  ])('%s → %s', (identity, schedule) => {
    expect(nightlySchedule(identity)).toBe(schedule);
    expect(cronProblem(schedule)).toBeUndefined();
  });
});

describe('dailyRun: one run a day at one time, on whole weekdays (what the clouds take as a backup window)', () => {
  it.each<[string, { minuteOfDay: number; weekdays: number[] } | undefined]>([
    ['30 2 * * *', { minuteOfDay: 150, weekdays: [1, 2, 3, 4, 5, 6, 7] }],
    ['5 23 * * 1-5', { minuteOfDay: 1385, weekdays: [1, 2, 3, 4, 5] }],
    ['0 4 * * 0,6', { minuteOfDay: 240, weekdays: [6, 7] }],
    ['0 4 * * 7', { minuteOfDay: 240, weekdays: [7] }],
    ['0 3 * * 1-5/2', { minuteOfDay: 180, weekdays: [1, 3, 5] }],
    ['0 */6 * * *', undefined],
    ['0,30 3 * * *', undefined],
    ['0 3 1 * *', undefined],
    ['0 3 * 2 *', undefined],
    ['0 3 * * MON', undefined],
  ])('%s → %o', (schedule, expected) => expect(dailyRun(schedule)).toEqual(expected));
});
