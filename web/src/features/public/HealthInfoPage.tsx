/**
 * Public page of general health information about preventive care by age, when to get urgent
 * or emergency care, and healthy habits. Screening ages follow the US Preventive Services Task
 * Force recommendations (breast cancer 2024, colorectal cancer 2021), so update them when those
 * change.
 */
export default function HealthInfoPage() {
  return (
    <article className="prose">
      <h1>Health information</h1>
      <p>
        This page gives general advice on staying healthy and on getting the right care at the
        right time. Your care team can tell you what fits your own health.
      </p>

      <section>
        <h2>Preventive care by age</h2>
        <p>
          Preventive care helps you stay well and finds problems early, when they are easier to
          treat. It includes regular checkups, vaccines and screening tests. The ages below are
          general. If you have a health condition or a family history of a disease, you may need
          some tests earlier or more often.
        </p>
        <p>
          Everyone 6 months and older should get a flu vaccine every year. The best time is early
          fall, before flu starts to spread, but getting it later still helps.
        </p>

        <h3>Children (birth to 12)</h3>
        <ul>
          <li>
            Babies have many checkups in their first two years. After that, children should
            have a checkup once a year.
          </li>
          <li>
            At checkups, the care team follows your child’s growth and development and checks
            hearing and vision.
          </li>
          <li>
            Keep vaccines on schedule. They protect against serious illnesses like measles,
            whooping cough and polio. Bring your child’s vaccine record to each visit.
          </li>
          <li>Plan a first dental visit by your child’s first birthday.</li>
        </ul>

        <h3>Teens (13 to 17)</h3>
        <ul>
          <li>
            Teens should have a checkup once a year. Part of the visit may be private time with
            the provider, so teens can ask questions and talk about their feelings.
          </li>
          <li>
            Ask about the vaccines recommended for preteens and teens, such as HPV, meningococcal
            and a Tdap booster.
          </li>
          <li>
            Checkups include questions about mood, stress and safety, because depression and
            anxiety often start in the teen years.
          </li>
        </ul>

        <h3>Adults (18 to 64)</h3>
        <ul>
          <li>
            Have your blood pressure checked. Adults 40 and older, and younger adults at higher
            risk, should have it checked every year. Adults 18 to 39 with normal blood pressure
            should have it checked at least every 3 to 5 years.
          </li>
          <li>
            Women and anyone with a cervix should have cervical cancer screening from age 21 to
            65. How often depends on your age and which test you have.
          </li>
          <li>
            Women ages 40 to 74 should have a mammogram to screen for breast cancer every 2 years.
          </li>
          <li>
            Adults ages 45 to 75 should be screened for colorectal cancer. There are several kinds
            of tests, including some you can do at home, so ask which one is right for you.
          </li>
          <li>
            Ask whether you need tests for cholesterol, diabetes or other conditions. If you smoke
            or used to smoke, ask whether lung cancer screening is right for you.
          </li>
          <li>
            Ask whether you are due for a tetanus booster. From age 50, ask about the shingles
            vaccine.
          </li>
        </ul>

        <h3>Older adults (65 and older)</h3>
        <ul>
          <li>
            Have a wellness visit every year to review your health, your medicines and your
            goals. Bring a list of everything you take, including vitamins and supplements.
          </li>
          <li>
            Ask which vaccines you need. Besides the yearly flu vaccine, many older adults are
            advised to get vaccines for pneumonia, shingles and RSV.
          </li>
          <li>
            Keep having your blood pressure checked every year. Women 65 and older should ask
            about a bone density test.
          </li>
          <li>
            Colorectal screening is recommended up to age 75, and breast screening up to 74.
            After that, talk with your care team about whether to keep screening. Most people
            can stop cervical screening after 65 if their earlier tests were normal.
          </li>
          <li>
            Tell your care team about any falls, dizziness, or changes in memory, hearing or
            vision.
          </li>
        </ul>
      </section>

      <section>
        <h2>When to get urgent or emergency care</h2>

        <h3>Call 911 right away</h3>
        <p>
          Call 911, or your local emergency number if you are outside the US, for any of these:
        </p>
        <ul>
          <li>Chest pain or pressure, or pain that spreads to the arm, back, neck or jaw</li>
          <li>Trouble breathing or shortness of breath that is getting worse</li>
          <li>
            Signs of a stroke: one side of the face drooping, weakness or numbness in an arm or
            leg, trouble speaking or understanding speech, or sudden trouble seeing or walking
          </li>
          <li>Bleeding that is heavy or will not stop when you press on it</li>
          <li>Fainting, passing out, or a person who cannot be woken up</li>
          <li>A seizure that lasts more than 5 minutes, or a first seizure</li>
          <li>
            Swelling of the face, lips or throat, or other signs of a severe allergic reaction
          </li>
          <li>A sudden, very bad headache, or confusion that comes on suddenly</li>
          <li>A serious injury, such as a bad fall, a car crash or a deep burn</li>
          <li>Thoughts of hurting yourself or someone else</li>
        </ul>
        <p>
          Do not drive yourself to the hospital if you have chest pain or signs of a stroke. With
          a stroke, every minute counts, so note the time the signs started.
        </p>
        <p>
          If you are having thoughts of suicide or are in emotional distress, you can also call or
          text 988 in the US to reach the Suicide &amp; Crisis Lifeline, any time of day. If
          someone may have swallowed something harmful, call the Poison Help line at
          1-800-222-1222. Call 911 instead if the person is not breathing, cannot stay awake or
          is having a seizure.
        </p>

        <h3>Get care the same day</h3>
        <p>
          Some problems need care soon but are not emergencies. Call the clinic first, because we
          may be able to see you the same day. If the clinic is closed or cannot see you in time,
          go to an urgent care center for problems like these:
        </p>
        <ul>
          <li>A sprain, or a cut that may need stitches</li>
          <li>Fever, cough or sore throat that is getting worse</li>
          <li>Ear pain, or pain or burning when you urinate</li>
          <li>A rash that is spreading, or a minor burn</li>
          <li>Vomiting or diarrhea that lasts more than a day</li>
        </ul>
        <p>
          A baby younger than 3 months with a temperature of 100.4 °F (38 °C) or higher needs
          medical care right away, even if the baby seems well.
        </p>

        <h3>Request an appointment for everything else</h3>
        <p>
          For checkups, follow-up visits, questions about your medicines or a problem that has
          been going on for a while, request an appointment in the portal or call the clinic.
          Appointment requests are not reviewed right away, so never use the portal for an
          urgent problem or an emergency.
        </p>
      </section>

      <section>
        <h2>Healthy habits</h2>
        <ul>
          <li>
            <strong>Sleep.</strong> Most adults need at least 7 hours of sleep a night. Children
            and teens need more. Going to bed and getting up at the same time each day helps.
          </li>
          <li>
            <strong>Move more.</strong> Adults should aim for about 150 minutes a week of
            activity like brisk walking, plus muscle-strengthening exercise on 2 or more days.
            Children 6 and older and teens should be active for at least 60 minutes a day. Any
            amount of movement is better than none.
          </li>
          <li>
            <strong>Eat well.</strong> Fill half your plate with vegetables and fruit. Choose
            whole grains and a mix of protein foods, and limit salt, added sugar and highly
            processed foods.
          </li>
          <li>
            <strong>Drink water.</strong> Water is the best everyday drink. Drink more when it is
            hot or when you are active.
          </li>
          <li>
            <strong>Skip tobacco and limit alcohol.</strong> Quitting smoking or vaping helps at
            any age, and your care team can help you make a plan. If you drink alcohol, drinking
            less is better for your health.
          </li>
          <li>
            <strong>Protect your skin.</strong> Use a broad-spectrum sunscreen with SPF 30 or
            higher, wear a hat, and stay in the shade in the middle of the day.
          </li>
          <li>
            <strong>Care for your mental health.</strong> Stay in touch with people you trust and
            make time for things you enjoy. If you feel sad, worried or stressed most days for
            two weeks or more, talk to your care team.
          </li>
          <li>
            <strong>Stay safe.</strong> Wear a seat belt every time you ride in a car, keep
            medicines locked away from children, and make your home safe from falls.
          </li>
          <li>
            <strong>Keep your health information up to date.</strong> Keep the allergies,
            medicines and conditions in your profile current, so your care team has the right
            facts when you visit.
          </li>
        </ul>
      </section>

      <section>
        <h2>About this information</h2>
        <p>
          This page is general health information for learning. It is not a diagnosis and it
          does not replace care from a provider who knows you. Your care team may suggest a
          different plan based on your health, your family history and your own choices. If you
          have questions about your health, talk to your care team.
        </p>
      </section>
    </article>
  );
}
