/**
 * Phrase lists: goals in a participant's own words by life domain, strengths, crisis plans and short notes.
 * @module
 */
import type { LifeDomains } from '@peer-fhir/core';

/** A life-domain code of a recovery goal. */
export type LifeDomain = keyof typeof LifeDomains;

/** Goals as people say them, by life domain. */
export const GOAL_PHRASES: Readonly<Record<LifeDomain, readonly string[]>> = {
  housing: ['I want my own apartment with my name on the lease', 'Stay in my housing and pay rent on time', 'Get out of the shelter before winter'],
  employment: ['Find a part-time job I can keep', 'Go back to work at something I like', 'Put together a resume and apply to three places'],
  education: ['Finish my GED', 'Take a class at the community college', 'Learn to use a computer for job searches'],
  health: ['Get my blood pressure under control', 'Walk every morning', 'Find a primary care doctor I trust', 'Sleep through the night'],
  'mental-health': ['Have fewer bad days', 'Learn what to do when the voices get loud', 'Keep my appointments and take my meds', 'Handle my anxiety without hiding at home'],
  recovery: ['Stay sober one day at a time', 'Go to a meeting every week', 'Stay on my medication and stop using', 'Have 90 days clean'],
  relationships: ['Get back in touch with my daughter', 'Be a better dad', 'Rebuild trust with my family', 'Have a friend I can call'],
  community: ['Volunteer somewhere', 'Go to the peer center twice a week', 'Join a church or group where I belong'],
  finances: ['Open a bank account', 'Make a budget and stick to it', 'Get my benefits sorted out'],
  legal: ['Finish probation without violations', 'Get my license back', 'Take care of my old fines'],
  spirituality: ['Find peace with my past', 'Spend time in nature every week', 'Get back to my faith'],
  transportation: ['Learn the bus routes', 'Get a bus pass', 'Save up for a bicycle'],
};

/** Strengths in plain words. */
export const STRENGTHS = [
  'Loves to cook', 'Good listener', 'Strong faith', 'Close to my sister', 'Handy with tools', 'Sense of humor',
  'Honest about where I am', 'Likes to draw', 'Has a dog that needs me', 'Kept a job for two years once',
  'Knows the city well', 'Determined', 'Helps other people in the group', 'Plays guitar',
] as const;

/** Early warning signs and what helps, for the crisis plan. */
export const CRISIS_SIGNS = ['stop sleeping', 'stop answering my phone', 'skip meals', 'start isolating', 'think about using again', 'get angry fast'] as const;
export const CRISIS_HELPS = ['call my peer specialist', 'call the 988 line', 'go to the peer center', 'call my sister', 'take a walk and breathe', 'go to a meeting'] as const;

/** Short session notes, written the way peers write them. */
export const NOTES = [
  'Met and reviewed progress on plan goals. Participant shared recent wins and one setback.',
  'Practised a coping skill together; participant plans to use it this week.',
  'Helped participant call about benefits; next step agreed.',
  'Shared own recovery story briefly to model asking for help.',
  'Worked on a budget and listed upcoming bills.',
  'Went over crisis plan and updated phone numbers.',
  'Walked to the bus stop and planned the route to the clinic.',
  'Talked through a conflict with family; participant chose what to say next time.',
] as const;

/** Short notes for a group session attendee. */
export const GROUP_NOTES = [
  'Attended group; shared about the week and encouraged a newer member.',
  'Attended group; listened mostly and said the topic was helpful.',
  'Attended group; talked about a trigger and a plan to handle it.',
  'Attended group; practised a grounding exercise with the others.',
] as const;
